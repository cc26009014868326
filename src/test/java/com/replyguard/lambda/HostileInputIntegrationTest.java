package com.replyguard.lambda;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.replyguard.testing.Capture;
import com.replyguard.testing.RealRedis;
import com.replyguard.testing.Sqs;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * I8, bad input: a catalogue of hostile and broken SQS records, sent through the handler in
 * batches mixed with valid records. Each broken record ends INVALID, in batchItemFailures, with a
 * log line saying why (and never quoting the text); every valid record of the same batch is
 * answered; nothing escapes the handler. Hostile but valid records (braces, spaces, emoji in the
 * matchId…) are answered and guarded like any other: on a cluster their keys stay in one slot.
 */
class HostileInputIntegrationTest {

    /** In every message text: it must never reach the log. */
    private static final String PRIVATE = "zq-private-text";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Capture log = new Capture();
    private final Capture replies = new Capture();

    /** One catalogue entry: a record body and the reason it must be refused for, or null when it is valid. */
    record Case(String name, String body, String reason) {
    }

    private static String job(Consumer<ObjectNode> edit) {
        ObjectNode job = JSON.createObjectNode();
        job.put("matchId", "m-hostile");
        job.put("messageId", "msg-hostile");
        job.put("userMessage", "tu fais quoi ce soir ? " + PRIVATE);
        edit.accept(job);
        return job.toString();
    }

    /** The broken records (also checked against docs/job.schema.json by JobParserTest). */
    static List<Case> invalid() {
        String longText = "a".repeat(200 * 1024 - PRIVATE.length()) + PRIVATE;
        return List.of(
                new Case("no body", null, "body is empty"),
                new Case("empty body", "", "body is empty"),
                new Case("blank body", " \n\t ", "body is empty"),
                new Case("not JSON", "salut " + PRIVATE + " {pas du json", "body is not valid JSON"),
                new Case("JSON array", "[\"" + PRIVATE + "\"]", "body must be a JSON object, got array"),
                new Case("JSON string", "\"" + PRIVATE + "\"", "body must be a JSON object, got string"),
                new Case("JSON number", "42", "body must be a JSON object, got number"),
                new Case("JSON null", "null", "body must be a JSON object, got null"),
                new Case("JSON boolean", "true", "body must be a JSON object, got boolean"),
                new Case("byte order mark first", "\uFEFF" + job(j -> { }), "body is not valid JSON"),
                new Case("two jobs in one body", job(j -> { }) + job(j -> j.put("messageId", "other")), "body has more data after the JSON object"),
                new Case("field given twice", "{\"matchId\": \"a\", \"matchId\": \"b\", \"userMessage\": \"" + PRIVATE + "\"}", "body has a field given twice"),
                new Case("nested 5000 deep", "[".repeat(5_000) + "]".repeat(5_000), "body exceeds the JSON limits"),
                new Case("number of 5000 digits", "{\"matchId\": " + "9".repeat(5_000) + "}", "body exceeds the JSON limits"),
                new Case("empty object", "{}", "matchId is missing"),
                new Case("missing userMessage", job(j -> j.remove("userMessage")), "userMessage is missing"),
                new Case("missing matchId", job(j -> j.remove("matchId")), "matchId is missing"),
                new Case("null matchId", job(j -> j.putNull("matchId")), "matchId is missing"),
                new Case("blank matchId", job(j -> j.put("matchId", "   ")), "matchId is blank"),
                new Case("blank userMessage", job(j -> j.put("userMessage", " \t\n ")), "userMessage is blank"),
                new Case("blank messageId", job(j -> j.put("messageId", "")), "messageId is blank"),
                new Case("matchId a number", job(j -> j.put("matchId", 42)), "matchId must be a string, got number"),
                new Case("matchId an object", job(j -> j.putObject("matchId").put("id", 1)), "matchId must be a string, got object"),
                new Case("matchId a boolean", job(j -> j.put("matchId", true)), "matchId must be a string, got boolean"),
                new Case("userMessage an array", job(j -> j.putArray("userMessage").add(PRIVATE)), "userMessage must be a string, got array"),
                new Case("messageId a number", job(j -> j.put("messageId", 1001)), "messageId must be a string, got number"),
                new Case("persona a number", job(j -> j.put("persona", 27)), "persona must be a string"),
                new Case("aliases disagree", job(j -> j.put("match_id", "m-other")), "matchId and match_id are both given, with different values"),
                new Case("null byte in userMessage", job(j -> j.put("userMessage", "a\u0000b " + PRIVATE)), "userMessage contains a null character"),
                new Case("null byte in matchId", job(j -> j.put("matchId", "m\u0000x")), "matchId contains control characters"),
                new Case("null byte in messageId", job(j -> j.put("messageId", "msg\u0000")), "messageId contains control characters"),
                new Case("lone high surrogate", job(j -> j.put("userMessage", "coucou \ud83d " + PRIVATE)), "userMessage contains an invalid UTF-16 surrogate"),
                new Case("lone low surrogate", job(j -> j.put("userMessage", "coucou \ude00 " + PRIVATE)), "userMessage contains an invalid UTF-16 surrogate"),
                new Case("surrogates reversed", job(j -> j.put("userMessage", "\ude00\ud83d " + PRIVATE)), "userMessage contains an invalid UTF-16 surrogate"),
                new Case("lone surrogate in matchId", job(j -> j.put("matchId", "m-\ud800")), "matchId contains an invalid UTF-16 surrogate"),
                new Case("200 KB text", job(j -> j.put("userMessage", longText)), "userMessage has 204800 characters, over the limit of 4000"),
                new Case("matchId with a newline", job(j -> j.put("matchId", "match\n42")), "matchId contains control characters"),
                new Case("matchId with a tab", job(j -> j.put("matchId", "match\t42")), "matchId contains control characters"),
                new Case("matchId of 10 000 chars", job(j -> j.put("matchId", "m".repeat(10_000))), "matchId has 10000 characters, over the limit of 256"),
                new Case("messageId of 10 000 chars", job(j -> j.put("messageId", "x".repeat(10_000))), "messageId has 10000 characters, over the limit of 256"),
                new Case("sentAt not a date", job(j -> j.put("sentAt", "hier soir")), "sentAt must be an ISO-8601 instant"),
                new Case("history an object", job(j -> j.putObject("history")), "history must be an array"),
                new Case("history entry a string", job(j -> j.putArray("history").add(PRIVATE)), "history[0] must be"),
                new Case("history role unknown", job(j -> j.putArray("history").addObject().put("role", "admin").put("text", PRIVATE)),
                        "history[0].role must be user or assistant"));
    }

    /** Hostile but legitimate records: answered, and guarded (their redelivery is recognised). */
    static List<Case> validButHostile() {
        return List.of(
                new Case("matchId with an opening brace", job(j -> j.put("matchId", "match{42")), null),
                new Case("matchId with a closing brace", job(j -> j.put("matchId", "match}42")), null),
                new Case("matchId of braces only", job(j -> j.put("matchId", "{}")), null),
                new Case("matchId with two hash tags", job(j -> j.put("matchId", "{a}b{c}")), null),
                new Case("matchId with spaces", job(j -> j.put("matchId", " match 42 ")), null),
                new Case("matchId of emoji", job(j -> j.put("matchId", "match-😀-💬")), null),
                new Case("matchId of 256 chars", job(j -> j.put("matchId", "m".repeat(256))), null),
                new Case("messageId with braces and spaces", job(j -> j.put("matchId", "m-msgid").put("messageId", "{msg} 1")), null),
                new Case("snake_case aliases", job(j -> { j.remove("matchId"); j.remove("userMessage"); j.put("match_id", "m-snake");
                    j.put("user_msg", "on se voit samedi ? " + PRIVATE); }), null),
                new Case("emoji-only message", job(j -> j.put("matchId", "m-emoji").put("userMessage", "😂😂😂")), null),
                new Case("zero-width and right-to-left text", job(j -> j.put("matchId", "m-rtl")
                        .put("userMessage", "\u200f\u05e9\u05dc\u05d5\u05dd\u200b " + PRIVATE)), null),
                new Case("message at the 4000-char limit", job(j -> j.put("matchId", "m-max")
                        .put("userMessage", (PRIVATE + " ").repeat(4000 / (PRIVATE.length() + 1)).substring(0, 4000))), null));
    }

    @BeforeEach
    void cleanRedis() {
        RealRedis.flush();
    }

    @Test
    void shouldRefuseEachBrokenRecord_andAnswerTheValidOnesOfTheSameBatch() {
        List<Case> broken = invalid();
        Map<String, Case> byId = new HashMap<>();
        List<String> validIds = new ArrayList<>();
        try (ReplyGuardHandler handler = Containers.start(Containers.env(), Clock.systemUTC(), log, replies)) {
            // batches of 8: two valid records around six broken ones
            for (int start = 0, batch = 0; start < broken.size(); start += 6, batch++) {
                List<SQSEvent.SQSMessage> records = new ArrayList<>();
                String first = "valid-" + batch + "-a";
                records.add(Sqs.record(first, Sqs.job("m-ok-" + batch + "a", "msg-a", "salut " + PRIVATE), 1));
                for (int i = start; i < Math.min(start + 6, broken.size()); i++) {
                    String id = "bad-" + i;
                    byId.put(id, broken.get(i));
                    records.add(Sqs.record(id, broken.get(i).body(), 1));
                }
                String last = "valid-" + batch + "-b";
                records.add(Sqs.record(last, Sqs.job("m-ok-" + batch + "b", "msg-b", "tu bosses où ? " + PRIVATE), 1));
                validIds.add(first);
                validIds.add(last);

                SQSBatchResponse response = handler.handleRequest(Sqs.event(records.toArray(SQSEvent.SQSMessage[]::new)), null);
                assertThat(Sqs.failedIds(response)).containsExactlyInAnyOrderElementsOf(
                        records.stream().map(SQSEvent.SQSMessage::getMessageId).filter(id -> id.startsWith("bad-")).toList());
            }
        }

        Map<String, JsonNode> lines = new HashMap<>();
        for (JsonNode line : log.records()) {
            assertThat(lines.put(line.get("sqsMessageId").asText(), line)).as("one line per record").isNull();
        }
        for (Map.Entry<String, Case> entry : byId.entrySet()) {
            JsonNode line = lines.get(entry.getKey());
            assertThat(line).as(entry.getValue().name()).isNotNull();
            assertThat(line.get("outcome").asText()).as(entry.getValue().name()).isEqualTo("INVALID");
            assertThat(line.get("level").asText()).isEqualTo("WARN");
            assertThat(line.get("error").asText()).as(entry.getValue().name()).contains(entry.getValue().reason());
        }
        for (String id : validIds) {
            assertThat(lines.get(id).get("outcome").asText()).as(id).isEqualTo("REPLIED");
        }
        assertThat(replies.jsonLines()).hasSize(validIds.size());
        assertThat(log.text()).as("no message text in the log").doesNotContain(PRIVATE);
        System.out.println("bad input: " + byId.size() + " broken records refused with a reason, "
                + validIds.size() + " valid records of the same batches answered");
    }

    @Test
    void shouldAnswerAndGuardHostileButValidRecords() {
        List<Case> cases = validButHostile();
        try (ReplyGuardHandler handler = Containers.start(Containers.env("COALESCE", "false"), Clock.systemUTC(), log, replies)) {
            for (int round = 1; round <= 2; round++) {
                log.reset();
                SQSEvent.SQSMessage[] records = new SQSEvent.SQSMessage[cases.size()];
                for (int i = 0; i < cases.size(); i++) {
                    records[i] = Sqs.record("hostile-" + i, cases.get(i).body(), round);
                }
                SQSBatchResponse response = handler.handleRequest(Sqs.event(records), null);
                assertThat(response.getBatchItemFailures()).isEmpty();
                Map<String, String> outcomes = new HashMap<>();
                log.records().forEach(l -> outcomes.put(l.get("sqsMessageId").asText(), l.get("outcome").asText()));
                for (int i = 0; i < cases.size(); i++) {
                    // first delivery answered under the guard; the redelivery recognised (a CROSSSLOT
                    // or any Redis error would show as GUARD_BYPASSED and a second reply)
                    assertThat(outcomes.get("hostile-" + i)).as(cases.get(i).name() + ", delivery " + round)
                            .isEqualTo(round == 1 ? "REPLIED" : "SKIPPED_ALREADY_ANSWERED");
                }
            }
        }
        assertThat(replies.jsonLines()).hasSize(cases.size());
        assertThat(log.text()).doesNotContain(PRIVATE);
    }
}
