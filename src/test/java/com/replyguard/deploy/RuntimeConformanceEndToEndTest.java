package com.replyguard.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.replyguard.testing.LoopbackRuntimeApi;
import com.replyguard.testing.RedisProcess;
import com.replyguard.testing.RuntimeClientProcess;
import com.replyguard.testing.Sqs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The deployable, run as Lambda runs it (end to end): {@code target/classes} and the runtime-scope
 * jars laid out as {@code sam build} does, loaded by the real AWS Lambda Java Runtime Interface
 * Client (the managed Java runtimes' client) in a JVM of its own, with the environment Lambda sets
 * and the template's variables, behind a loopback Lambda Runtime API, against a real Redis.
 *
 * <p>It feeds every sample in {@code events/}, a batch of 10 records from 5 matches, a non-JSON body
 * and an empty batch, and checks the batch responses, the replies and that every line the function
 * writes is filed correctly by Lambda's JSON log format. Then again with SnapStart: the client runs
 * the CRaC hooks (priming, {@code beforeCheckpoint}), asks for {@code /restore/next}, runs
 * {@code afterRestore}, and only then takes invocations.
 */
@Tag("own-servers")
class RuntimeConformanceEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30); // the template's function timeout
    private static final Set<String> LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL");

    /** What each sample gives, as README's table says; a file listed twice is invoked twice. */
    private static final Map<String, List<List<String>>> EXPECTED = new LinkedHashMap<>();

    static {
        EXPECTED.put("one-message.json", List.of(List.of("REPLIED")));
        EXPECTED.put("duplicate-delivery.json", List.of(List.of("REPLIED", "SKIPPED_ALREADY_ANSWERED")));
        EXPECTED.put("bridge-double-enqueue.json", List.of(List.of("REPLIED", "SKIPPED_ALREADY_ANSWERED")));
        EXPECTED.put("redelivery.json", List.of(List.of("REPLIED"), List.of("SKIPPED_ALREADY_ANSWERED")));
        EXPECTED.put("rapid-sequence.json", List.of(List.of("REPLIED", "COALESCED", "COALESCED")));
        EXPECTED.put("same-question-30s-later.json", List.of(List.of("REPLIED", "SKIPPED_SIMILAR_QUESTION")));
        EXPECTED.put("mixed-valid-invalid.json", List.of(List.of("REPLIED", "INVALID", "INVALID", "INVALID", "INVALID", "REPLIED")));
    }

    private static RedisProcess redis;

    @BeforeAll
    static void startRedis() {
        redis = RedisProcess.builder().start();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @ParameterizedTest(name = "initialisation {0}")
    @ValueSource(strings = {"on-demand", "snap-start"})
    void shouldAnswerEveryEvent_underTheLambdaRuntimeClient(String initialisation) throws IOException {
        boolean snapStart = initialisation.equals("snap-start");
        redis.command("FLUSHALL");
        try (LoopbackRuntimeApi api = LoopbackRuntimeApi.start();
             RuntimeClientProcess container = RuntimeClientProcess.start(api, snapStart, functionEnvironment())) {
            assertThat(api.awaitFirstPoll(Duration.ofSeconds(60)))
                    .as("the client initialised the function and asked for an invocation; stderr: %s", container.stderr())
                    .isTrue();
            assertThat(api.initErrors()).as("init errors").isEmpty();
            if (snapStart) {
                assertThat(api.awaitRestoreRequested(Duration.ZERO)).as("restore/next after the checkpoint hooks").isTrue();
                assertThat(api.restoreErrors()).isEmpty();
            }

            int outcomesSeen = 0;
            int repliesSeen = 0;
            for (Map.Entry<String, List<List<String>>> sample : EXPECTED.entrySet()) {
                String event = Files.readString(Path.of("events", sample.getKey()));
                JsonNode records = JSON.readTree(event).get("Records");
                for (List<String> outcomes : sample.getValue()) {
                    JsonNode response = succeed(api, event, sample.getKey());
                    List<String> expectedFailures = new ArrayList<>();
                    for (int i = 0; i < outcomes.size(); i++) {
                        if (outcomes.get(i).equals("INVALID")) {
                            expectedFailures.add(records.get(i).get("messageId").asText());
                        }
                    }
                    assertThat(failures(response)).as(sample.getKey() + " batchItemFailures")
                            .containsExactlyInAnyOrderElementsOf(expectedFailures);
                    List<JsonNode> lines = awaitOutcomes(container, outcomesSeen + outcomes.size());
                    assertThat(lines.subList(outcomesSeen, lines.size())).as(sample.getKey() + " outcomes")
                            .extracting(l -> l.get("outcome").asText()).containsExactlyInAnyOrderElementsOf(outcomes);
                    outcomesSeen = lines.size();
                }
                redis.command("FLUSHALL");
            }
            repliesSeen = replies(container).size();
            // one-message 1, duplicate 1, double-enqueue 1, redelivery 1, rapid 1, same question 1, mixed 2
            assertThat(repliesSeen).as("replies for the samples").isEqualTo(8);

            // 10 records of 5 matches, two different messages each: one reply per match, covering both
            JsonNode batch = succeed(api, fiveMatchesBatch(), "10 records, 5 matches");
            assertThat(failures(batch)).isEmpty();
            awaitOutcomes(container, outcomesSeen + 10);
            List<JsonNode> batchReplies = awaitReplies(container, repliesSeen + 5).subList(repliesSeen, repliesSeen + 5);
            assertThat(batchReplies).extracting(r -> r.get("matchId").asText())
                    .containsExactlyInAnyOrder("conf-0", "conf-1", "conf-2", "conf-3", "conf-4");
            assertThat(batchReplies).allSatisfy(r -> assertThat(r.get("inReplyTo")).hasSize(2));
            outcomesSeen += 10;

            // a body that is not JSON: reported, so SQS moves it to the dead-letter queue
            JsonNode invalid = succeed(api, event(record("not-json", "{oops", 1)), "non-JSON body");
            assertThat(failures(invalid)).containsExactly("not-json");
            assertThat(awaitOutcomes(container, outcomesSeen + 1).getLast().get("outcome").asText()).isEqualTo("INVALID");

            // an empty batch
            assertThat(failures(succeed(api, "{\"Records\":[]}", "empty Records"))).isEmpty();

            List<JsonNode> hooks = jsonLines(container).stream().filter(l -> l.has("event")).toList();
            if (!snapStart) {
                // on-demand: the hot paths, the Redis connection among them, are primed in the init phase
                assertThat(hooks).extracting(l -> l.get("event").asText()).contains("init.primed");
                assertThat(hooks.getFirst().get("done").toString()).contains("parser", "guard Granted", "similarity");
            } else {
                assertThat(hooks).extracting(l -> l.get("event").asText())
                        .containsSubsequence("snapstart.beforeCheckpoint", "snapstart.afterRestore");
                JsonNode before = hooks.stream().filter(l -> l.get("event").asText().equals("snapstart.beforeCheckpoint"))
                        .findFirst().orElseThrow();
                assertThat(before.get("done").toString()).contains("parser", "guard Granted", "similarity");
            }
            assertEveryLineFiledByLambdaJsonLogFormat(container);
        }
    }

    /** Lambda's JSON log format files a line without a valid timestamp or level as INFO: every line has both. */
    private static void assertEveryLineFiledByLambdaJsonLogFormat(RuntimeClientProcess container) {
        List<String> lines = new ArrayList<>(container.stdout());
        lines.addAll(container.stderr());
        assertThat(lines).isNotEmpty();
        List<String> misfiled = new ArrayList<>();
        for (String line : lines) {
            if (line.startsWith("Picked up JAVA_TOOL_OPTIONS:")) {
                continue; // the JVM launcher's own line, before any code runs: Lambda shows it too
            }
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (IOException e) {
                misfiled.add("not JSON: " + line);
                continue;
            }
            if (node == null || !node.isObject() || !node.hasNonNull("timestamp") || !validInstant(node.get("timestamp").asText())
                    || !LEVELS.contains(node.path("level").asText())) {
                misfiled.add("no valid timestamp and level: " + line);
            } else if (node.has("_aws")) {
                assertValidEmf(node);
            }
        }
        assertThat(misfiled).as("lines Lambda's JSON log format would file as INFO without a time").isEmpty();
    }

    private static boolean validInstant(String text) {
        try {
            Instant.parse(text);
            return true;
        } catch (java.time.format.DateTimeParseException e) {
            return false;
        }
    }

    /** CloudWatch's Embedded Metric Format: a timestamp, and every declared metric present as a number. */
    private static void assertValidEmf(JsonNode node) {
        JsonNode aws = node.get("_aws");
        assertThat(aws.get("Timestamp").isNumber()).isTrue();
        JsonNode directive = aws.get("CloudWatchMetrics").get(0);
        assertThat(directive.get("Namespace").asText()).isEqualTo("ReplyGuard");
        for (JsonNode metric : directive.get("Metrics")) {
            String name = metric.get("Name").asText();
            assertThat(node.get(name)).as("metric " + name).isNotNull();
            assertThat(node.get(name).isNumber() || node.get(name).isArray()).as("metric " + name + " is a number").isTrue();
        }
        for (JsonNode dimensions : directive.get("Dimensions")) {
            dimensions.forEach(d -> assertThat(node.get(d.asText()).isTextual()).as("dimension " + d).isTrue());
        }
    }

    private static JsonNode succeed(LoopbackRuntimeApi api, String event, String what) throws IOException {
        LoopbackRuntimeApi.Result result = api.invokeAndWait(event, TIMEOUT);
        assertThat(result.succeeded()).as(what + ": the invocation failed with " + result.errorType() + ": " + result.body())
                .isTrue();
        return JSON.readTree(result.body());
    }

    private static List<String> failures(JsonNode response) {
        List<String> ids = new ArrayList<>();
        response.get("batchItemFailures").forEach(f -> ids.add(f.get("itemIdentifier").asText()));
        return ids;
    }

    private static List<JsonNode> jsonLines(RuntimeClientProcess container) {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : container.stdout()) {
            try {
                nodes.add(JSON.readTree(line));
            } catch (IOException e) {
                // not JSON: reported by the log-format check
            }
        }
        return nodes;
    }

    private static List<JsonNode> replies(RuntimeClientProcess container) {
        return jsonLines(container).stream().filter(l -> l.has("inReplyTo") && l.has("reply")).toList();
    }

    /** Log lines reach stdout from the client's pump thread: wait (bounded) until {@code count} are there. */
    private static List<JsonNode> awaitOutcomes(RuntimeClientProcess container, int count) {
        return awaitLines(container, count, l -> l.has("outcome") && !l.has("_aws"));
    }

    private static List<JsonNode> awaitReplies(RuntimeClientProcess container, int count) {
        return awaitLines(container, count, l -> l.has("inReplyTo") && l.has("reply"));
    }

    private static List<JsonNode> awaitLines(RuntimeClientProcess container, int count,
                                             java.util.function.Predicate<JsonNode> filter) {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<JsonNode> lines;
        do {
            lines = jsonLines(container).stream().filter(filter).toList();
            if (lines.size() >= count) {
                return lines;
            }
            Thread.onSpinWait();
        } while (System.nanoTime() < end);
        throw new AssertionError("expected " + count + " lines, got " + lines.size() + ": " + lines);
    }

    /** The template's variables (parameter defaults), with the test's Redis, generator and sink. */
    private Map<String, String> functionEnvironment() {
        Map<String, String> env = TemplateVariables.atDefaults();
        assertThat(env).containsKeys("JAVA_TOOL_OPTIONS", "FUNCTION_TIMEOUT_SECONDS", "GUARD_TTL_SECONDS");
        env.put("REDIS_URL", "redis://127.0.0.1:" + redis.port());
        env.put("REDIS_URL_SECRET_ARN", "");
        env.put("REDIS_CLUSTER", "false");
        env.put("GENERATOR", "scripted");
        env.put("BEDROCK_MODEL_ID", "");
        env.put("REPLY_SINK", "stdout");
        env.put("REPLY_QUEUE_URL", "");
        // a cold JVM on a loaded 2-core machine: the first commands must not time out into a bypass
        env.put("REDIS_TIMEOUT_MS", "5000");
        return env;
    }

    private static String fiveMatchesBatch() {
        List<ObjectNode> records = new ArrayList<>();
        String[][] pairs = {{"salut", "tu fais quoi ce soir ?"}, {"hello", "tu bosses dans quoi ?"},
                {"coucou", "tu as un chat ?"}, {"hey", "ce week-end tu fais quoi ?"}, {"bonsoir", "ça va ?"}};
        for (int match = 0; match < 5; match++) {
            for (int i = 0; i < 2; i++) {
                String id = "conf-" + match + "-" + i;
                records.add(record(id, Sqs.job("conf-" + match, "msg-" + id, pairs[match][i]), 1));
            }
        }
        return event(records.toArray(ObjectNode[]::new));
    }

    /** One record in the shape Lambda's SQS event source delivers it. */
    private static ObjectNode record(String sqsMessageId, String body, int receiveCount) {
        ObjectNode record = JSON.createObjectNode();
        record.put("messageId", sqsMessageId);
        record.put("receiptHandle", "handle-" + sqsMessageId);
        record.put("body", body);
        record.putObject("attributes")
                .put("ApproximateReceiveCount", Integer.toString(receiveCount))
                .put("SentTimestamp", "1796000000000")
                .put("SenderId", "AROAEXAMPLE:reply-guard-bridge")
                .put("ApproximateFirstReceiveTimestamp", "1796000000100");
        record.putObject("messageAttributes");
        record.put("md5OfBody", "00000000000000000000000000000000");
        record.put("eventSource", "aws:sqs");
        record.put("eventSourceARN", "arn:aws:sqs:eu-west-3:123456789012:reply-guard-jobs");
        record.put("awsRegion", "eu-west-3");
        return record;
    }

    private static String event(ObjectNode... records) {
        ObjectNode event = JSON.createObjectNode();
        ArrayNode array = event.putArray("Records");
        for (ObjectNode record : records) {
            array.add(record);
        }
        return event.toString();
    }

    static Set<String> eventFiles() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("events"))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> !n.equals("env.json"))
                    .collect(java.util.stream.Collectors.toCollection(TreeSet::new));
        }
    }

    @org.junit.jupiter.api.Test
    void shouldFeedEverySampleEvent() throws IOException {
        assertThat(EXPECTED.keySet()).containsExactlyInAnyOrderElementsOf(eventFiles());
    }
}
