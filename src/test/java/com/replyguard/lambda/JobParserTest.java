package com.replyguard.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Schema;
import com.replyguard.core.Job;
import com.replyguard.testing.Schemas;
import com.replyguard.testing.Sqs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobParserTest {

    private final JobParser parser = new JobParser(4000);

    private Job parse(String body) throws JobParser.InvalidJobException {
        return parser.parse(Sqs.record("sqs-1", body, 3));
    }

    @Test
    void shouldReadTheSpecJob() throws Exception {
        Job job = parse("{\"matchId\": \"match-42\", \"messageId\": \"msg-1001\", \"userMessage\": \"tu fais quoi?\","
                + " \"sentAt\": \"2026-11-29T14:27:10Z\", \"history\": [{\"role\": \"assistant\", \"text\": \"Salut !\"},"
                + " {\"role\": \"user\", \"text\": \"hello\"}], \"persona\": \"Léa, 27 ans\"}");
        assertThat(job.matchId()).isEqualTo("match-42");
        assertThat(job.messageId()).isEqualTo("msg-1001");
        assertThat(job.sqsMessageId()).isEqualTo("sqs-1");
        assertThat(job.receiveCount()).isEqualTo(3);
        assertThat(job.sentAt()).isEqualTo(Instant.parse("2026-11-29T14:27:10Z"));
        assertThat(job.history()).extracting(Job.Turn::role).containsExactly(Job.Turn.Role.ASSISTANT, Job.Turn.Role.USER);
        assertThat(job.persona()).isEqualTo("Léa, 27 ans");
    }

    @Test
    void shouldAcceptSnakeCaseAliases_andFallBackToTheSqsMessageId() throws Exception {
        Job job = parse("{\"match_id\": \"m\", \"user_msg\": \"salut\"}");
        assertThat(job.matchId()).isEqualTo("m");
        assertThat(job.userMessage()).isEqualTo("salut");
        assertThat(job.messageId()).isEqualTo("sqs-1");
        assertThat(parse("{\"match_id\": \"m\", \"message_id\": \"x\", \"user_msg\": \"salut\"}").messageId()).isEqualTo("x");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "not json at all|body is not valid JSON",
            "[1,2]|body must be a JSON object, got array",
            "{\"userMessage\": \"salut\"}|matchId is missing",
            "{\"matchId\": \"m\"}|userMessage is missing",
            "{\"matchId\": \"  \", \"userMessage\": \"salut\"}|matchId is blank",
            "{\"matchId\": 42, \"userMessage\": \"salut\"}|matchId must be a string, got number",
            "{\"matchId\": \"m\", \"userMessage\": [\"salut\"]}|userMessage must be a string, got array",
            "{\"matchId\": \"m\\nx\", \"userMessage\": \"salut\"}|matchId contains control characters",
            "{\"matchId\": \"m\", \"userMessage\": \"a\\u0000b\"}|userMessage contains a null character",
            "{\"matchId\": \"m\", \"userMessage\": \"a\\ud800b\"}|userMessage contains an invalid UTF-16 surrogate",
            "{\"matchId\": \"m\", \"userMessage\": \"salut\", \"sentAt\": \"hier\"}|sentAt must be an ISO-8601 instant",
            "{\"matchId\": \"m\", \"userMessage\": \"salut\", \"history\": {}}|history must be an array",
            "{\"matchId\": \"m\", \"userMessage\": \"salut\", \"history\": [{\"role\": \"x\", \"text\": \"t\"}]}|history[0].role must be user or assistant",
    })
    void shouldRejectWithAClearReason_thatNeverQuotesTheText(String body, String reason) {
        assertThatThrownBy(() -> parse(body)).isInstanceOf(JobParser.InvalidJobException.class)
                .hasMessageContaining(reason).hasMessageNotContaining("salut");
    }

    @Test
    void shouldRejectOversizedIdsAndTexts() {
        assertThatThrownBy(() -> parse("{\"matchId\": \"" + "m".repeat(257) + "\", \"userMessage\": \"salut\"}"))
                .hasMessage("matchId has 257 characters, over the limit of 256");
        assertThatThrownBy(() -> parse("{\"matchId\": \"m\", \"userMessage\": \"" + "a".repeat(4001) + "\"}"))
                .hasMessage("userMessage has 4001 characters, over the limit of 4000");
    }

    @Test
    void shouldRejectARecordWithoutBody() {
        assertThatThrownBy(() -> parser.parse(Sqs.record("sqs-1", null, 1))).hasMessage("body is empty");
    }

    // ------------------------------------------------------------------ docs/job.schema.json, the written contract

    private static final Schema JOB_SCHEMA = Schemas.load(Schemas.JOB);

    /**
     * Rules the schema cannot express, so that it accepts what the parser refuses; each is listed
     * here with its reason and checked to stay that way (parser refuses, schema accepts), so a change
     * on either side shows up.
     */
    private static final Map<String, String> SCHEMA_CANNOT_SAY = Map.of(
            "lone high surrogate", "a JSON Schema pattern (ECMA-262) cannot portably tell a lone surrogate from half of a pair",
            "lone low surrogate", "as above",
            "surrogates reversed", "as above",
            "lone surrogate in matchId", "as above",
            "aliases disagree", "JSON Schema cannot compare two values (matchId and match_id)",
            "2001 emoji (4002 UTF-16 units)", "the worker counts UTF-16 code units, JSON Schema counts characters");

    private boolean parserAccepts(String body) {
        try {
            parse(body);
            return true;
        } catch (JobParser.InvalidJobException e) {
            return false;
        }
    }

    private static boolean schemaAccepts(String body) {
        return Schemas.errors(JOB_SCHEMA, body).isEmpty();
    }

    /** Each record body of events/*.json, named file#index. */
    private static Map<String, String> sampleBodies() throws IOException {
        Map<String, String> bodies = new LinkedHashMap<>();
        ObjectMapper json = new ObjectMapper();
        try (Stream<Path> files = Files.list(Path.of("events"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                JsonNode records = json.readTree(file.toFile()).get("Records");
                for (int i = 0; records != null && i < records.size(); i++) {
                    bodies.put(file.getFileName() + "#" + i, records.get(i).get("body").asText());
                }
            }
        }
        return bodies;
    }

    @Test
    void shouldAgreeWithTheJobSchema_onEverySampleEvent() throws Exception {
        Map<String, String> bodies = sampleBodies();
        List<String> refused = new ArrayList<>();
        bodies.forEach((name, body) -> {
            assertThat(schemaAccepts(body)).as(name + ": schema accepts ⇔ parser accepts; schema says "
                    + Schemas.errors(JOB_SCHEMA, body)).isEqualTo(parserAccepts(body));
            if (!parserAccepts(body)) {
                refused.add(name);
            }
        });
        assertThat(bodies).hasSizeGreaterThanOrEqualTo(14);
        assertThat(refused).as("only the four broken records of mixed-valid-invalid.json")
                .containsExactly("mixed-valid-invalid.json#1", "mixed-valid-invalid.json#2", "mixed-valid-invalid.json#3",
                        "mixed-valid-invalid.json#4");
    }

    @Test
    void shouldAgreeWithTheJobSchema_onTheHostileInputCatalogue() {
        List<HostileInputIntegrationTest.Case> cases = new ArrayList<>(HostileInputIntegrationTest.invalid());
        cases.addAll(HostileInputIntegrationTest.validButHostile());
        assertThat(cases).hasSizeGreaterThan(50);
        for (HostileInputIntegrationTest.Case c : cases) {
            boolean parser = parserAccepts(c.body());
            boolean schema = schemaAccepts(c.body());
            assertThat(parser).as(c.name() + ": the catalogue's verdict").isEqualTo(c.reason() == null);
            if (SCHEMA_CANNOT_SAY.containsKey(c.name())) {
                assertThat(parser).as(c.name() + ": refused by the parser").isFalse();
                assertThat(schema).as(c.name() + ": accepted by the schema, which cannot say it: " + SCHEMA_CANNOT_SAY.get(c.name())).isTrue();
            } else {
                assertThat(schema).as(c.name() + ": schema accepts ⇔ parser accepts; schema says " + Schemas.errors(JOB_SCHEMA, c.body()))
                        .isEqualTo(parser);
            }
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            // name | field | value (JSON) | parser and schema accept
            "matchId of 256 chars|matchId|\"MMM256\"|true",
            "matchId of 257 chars|matchId|\"MMM257\"|false",
            "message of 4000 chars|userMessage|\"AAA4000\"|true",
            "message of 4001 chars|userMessage|\"AAA4001\"|false",
            "no-break space only|userMessage|\"\\u00a0\"|true",
            "ideographic space only|userMessage|\"\\u3000\"|false",
            "matchId with DEL|matchId|\"m\\u007fx\"|false",
            "matchId with a C1 control|matchId|\"m\\u0085x\"|false",
            "persona blank|persona|\" \"|false",
            "persona with a newline|persona|\"L\\u00e9a\\n27 ans\"|true",
            "sentAt with an offset|sentAt|\"2026-11-29T15:27:10+01:00\"|true",
            "sentAt with nanoseconds|sentAt|\"2026-11-29T14:27:10.123456789Z\"|true",
            "sentAt in lower case|sentAt|\"2026-11-29t14:27:10z\"|true",
            "sentAt without seconds|sentAt|\"2026-11-29T14:27Z\"|false",
            "sentAt without offset|sentAt|\"2026-11-29T14:27:10\"|false",
            "sentAt on the 13th month|sentAt|\"2026-13-29T14:27:10Z\"|false",
            "sentAt on 30 February|sentAt|\"2026-02-30T14:27:10Z\"|false",
            "sentAt null|sentAt|null|true",
            "sent_at alias|sent_at|\"2026-11-29T14:27:10Z\"|true",
            "history null|history|null|true",
            "history empty|history|[]|true",
            "history role BOT|history|[{\"role\": \"BOT\", \"text\": \"salut\"}]|true",
            "history without text|history|[{\"role\": \"user\"}]|false",
            "history text a number|history|[{\"role\": \"user\", \"text\": 1}]|false",
            "history entry an array|history|[[\"user\", \"salut\"]]|false",
            "unknown field|mood|\"happy\"|true",
            "messageId null|messageId|null|true",
            "message_id alias, same value|message_id|\"msg-1\"|true",
    })
    void shouldAgreeWithTheJobSchema_atTheLimits(String name, String field, String value, boolean accepted) throws Exception {
        String json = value.replace("MMM256", "m".repeat(256)).replace("MMM257", "m".repeat(257))
                .replace("AAA4000", "a".repeat(4000)).replace("AAA4001", "a".repeat(4001));
        com.fasterxml.jackson.databind.node.ObjectNode job = (com.fasterxml.jackson.databind.node.ObjectNode)
                new ObjectMapper().readTree("{\"matchId\": \"m-limits\", \"messageId\": \"msg-1\", \"userMessage\": \"salut\"}");
        job.set(field, new ObjectMapper().readTree(json));
        String body = job.toString();
        assertThat(parserAccepts(body)).as(name + ": parser").isEqualTo(accepted);
        assertThat(schemaAccepts(body)).as(name + ": schema says " + Schemas.errors(JOB_SCHEMA, body)).isEqualTo(accepted);
    }

    @Test
    void shouldDisagreeWithTheSchema_onlyWhereItCannotSaySo_lengthsInUtf16Units() {
        String emoji = "😂".repeat(2001); // 2001 characters, 4002 UTF-16 code units
        String body = "{\"matchId\": \"m\", \"userMessage\": \"" + emoji + "\"}";
        assertThat(parserAccepts(body)).isFalse();
        assertThat(schemaAccepts(body)).as(SCHEMA_CANNOT_SAY.get("2001 emoji (4002 UTF-16 units)")).isTrue();
        String fits = "{\"matchId\": \"m\", \"userMessage\": \"" + "😂".repeat(2000) + "\"}";
        assertThat(parserAccepts(fits)).isTrue();
        assertThat(schemaAccepts(fits)).isTrue();
    }

    @Test
    void shouldShowItsOwnExamples_asValidJobs() throws Exception {
        for (JsonNode example : new ObjectMapper().readTree(Schemas.JOB.toFile()).get("examples")) {
            assertThat(parserAccepts(example.toString())).as(example.toString()).isTrue();
            assertThat(schemaAccepts(example.toString())).as(example.toString()).isTrue();
        }
    }
}
