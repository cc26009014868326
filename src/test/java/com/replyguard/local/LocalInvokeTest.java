package com.replyguard.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.replyguard.testing.RealRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The README's local run, end to end: its own embedded Redis (or the test Redis as "your own"), the
 * runtime's deserialisation, the output, the exit statuses, and one clear line for each mistake.
 */
class LocalInvokeTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Map<String, String> env, String... args) throws Exception {
        return run(env, new ByteArrayInputStream(new byte[0]), () -> { }, args);
    }

    private int run(Map<String, String> env, InputStream in, LocalInvoke.StopSignal stop, String... args) throws Exception {
        return LocalInvoke.run(args, env, in, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), stop);
    }

    private String printed() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String errors() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** The JSON lines printed under a heading, up to the next heading. */
    private List<JsonNode> section(String heading) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        boolean in = false;
        for (String line : printed().lines().toList()) {
            if (line.startsWith("--") || line.startsWith("==")) {
                in = line.startsWith(heading);
                continue;
            }
            if (in && line.startsWith("   {")) {
                lines.add(JSON.readTree(line.strip()));
            }
        }
        return lines;
    }

    // ------------------------------------------------------------------ runs

    @Test
    void shouldStartItsOwnRedis_andShowOutcomesRepliesBatchResponseAndASummaryPerInvocation() throws Exception {
        int status = run(Map.of(), "-e", "events/redelivery.json", "-e", "events/redelivery.json",
                "--env-vars", "events/env.json");
        String printed = printed();
        assertThat(status).isZero();
        assertThat(printed).contains("started an embedded Redis server at redis://127.0.0.1:")
                .contains("connected to Redis at redis://127.0.0.1:")
                .contains("== invocation 1 of 2: events/redelivery.json, 1 record\n")
                .contains("== invocation 2 of 2")
                .contains("\"outcome\":\"REPLIED\"").contains("\"outcome\":\"SKIPPED_ALREADY_ANSWERED\"")
                .contains("\"inReplyTo\":[\"msg-4001\"]")
                .contains("{\"batchItemFailures\":[]}")
                .contains("== 1 record: REPLIED 1; 1 reply delivered; 0 to retry\n")
                .contains("== 1 record: SKIPPED_ALREADY_ANSWERED 1; 0 replies delivered; 0 to retry\n");
        assertThat(printed.indexOf("REPLIED")).isLessThan(printed.indexOf("SKIPPED_ALREADY_ANSWERED"));
        assertThat(printed).as("the EMF line only with --verbose").doesNotContain("\"_aws\"").doesNotContain("-- metrics");
        assertThat(errors()).isEmpty();
    }

    @Test
    void shouldPrintTheConfigAsShortPairs_withLocalFriendlyTimeoutsForTheEmbeddedRedis() throws Exception {
        assertThat(run(Map.of(), "-e", "events/one-message.json")).isZero();
        String config = printed().lines().filter(l -> l.startsWith("config: ")).findFirst().orElseThrow();
        assertThat(config).contains("guard=on ").contains(" timeout=2000ms ").contains(" connectTimeout=5000ms ")
                .contains(" generator=scripted ").contains(" sink=stdout ").doesNotContain("WorkerConfig[");
        assertThat(config.length()).isLessThan(300);

        out.reset();
        assertThat(run(Map.of("REDIS_TIMEOUT_MS", "700"), "-e", "events/one-message.json")).isZero();
        assertThat(printed()).as("a timeout the user set is kept").contains(" timeout=700ms ").contains(" connectTimeout=5000ms ");
    }

    @Test
    void shouldShowTheMetricsLineUnderItsOwnHeading_withVerbose() throws Exception {
        assertThat(run(Map.of(), "-e", "events/duplicate-delivery.json", "--verbose")).isZero();
        List<JsonNode> metrics = section("-- metrics");
        assertThat(metrics).hasSize(1);
        assertThat(metrics.getFirst().get("Records").asDouble()).isEqualTo(2.0);
        assertThat(section("-- outcomes")).hasSize(2).allSatisfy(line -> assertThat(line.has("outcome")).isTrue());
        assertThat(printed()).contains("== 2 records: REPLIED 1, SKIPPED_ALREADY_ANSWERED 1; 1 reply delivered; 0 to retry");
    }

    @Test
    void shouldExitOne_whenRecordsAreInBatchItemFailures() throws Exception {
        assertThat(run(Map.of(), "-e", "events/mixed-valid-invalid.json")).isEqualTo(LocalInvoke.RECORDS_TO_RETRY);
        assertThat(printed()).contains("\"itemIdentifier\":\"167a246d-a715-459c-b195-001f9839ed4d\"")
                .contains("== 6 records: REPLIED 2, INVALID 4; 2 replies delivered; 4 to retry")
                .contains("exit status 1: some records are in batchItemFailures");
    }

    @Test
    void shouldBuildTheSqsEvent_fromMessages_andAnswerABurstWithOneReply() throws Exception {
        int status = run(Map.of(), "--message", "salut", "--message", "tu fais quoi ce soir ?", "--verbose");
        assertThat(status).isZero();
        List<JsonNode> replies = section("-- replies delivered");
        assertThat(replies).hasSize(1);
        assertThat(replies.getFirst().get("matchId").asText()).isEqualTo("match-local");
        assertThat(replies.getFirst().get("inReplyTo")).extracting(JsonNode::asText).containsExactly("msg-1", "msg-2");
        assertThat(replies.getFirst().get("reply").asText()).isNotBlank();
        assertThat(printed()).contains("== invocation 1 of 1: --message, 2 records")
                .contains("== 2 records: REPLIED 1, COALESCED 1; 1 reply delivered; 0 to retry");

        JsonNode event = section("-- SQS event built").getFirst();
        JsonNode record = event.get("Records").get(0);
        assertThat(record.get("eventSource").asText()).isEqualTo("aws:sqs");
        assertThat(record.get("attributes").get("ApproximateReceiveCount").asText()).isEqualTo("1");
        assertThat(record.fieldNames()).toIterable().contains("messageId", "receiptHandle", "body", "attributes",
                "messageAttributes", "md5OfBody", "eventSource", "eventSourceARN", "awsRegion");
        JsonNode body = JSON.readTree(record.get("body").asText());
        assertThat(body.get("userMessage").asText()).isEqualTo("salut");
        assertThat(body.get("sentAt").asText()).endsWith("Z");
    }

    @Test
    void shouldUseOneMatchForEveryMessage_whereverItIsGiven() throws Exception {
        assertThat(run(Map.of(), "--message", "salut", "--message", "ça va ?", "--message-id", "msg-1001",
                "--match", "match-42")).isZero();
        List<JsonNode> replies = section("-- replies delivered");
        assertThat(replies).hasSize(1);
        assertThat(replies.getFirst().get("matchId").asText()).isEqualTo("match-42");
        assertThat(replies.getFirst().get("inReplyTo")).extracting(JsonNode::asText).containsExactly("msg-1", "msg-1001");
    }

    @Test
    void shouldGiveEachMessageTheMatchAfterIt_whenSeveralAreGiven() throws Exception {
        assertThat(run(Map.of(), "--match", "match-all", "--message", "tu aimes les chats ?", "--message-id", "msg-1001",
                "--message", "tu bosses où ?", "--match", "match-b", "--message", "et toi ?")).isZero();
        List<JsonNode> replies = section("-- replies delivered");
        assertThat(replies).extracting(r -> r.get("matchId").asText() + " " + r.get("inReplyTo"))
                .containsExactlyInAnyOrder("match-all [\"msg-1001\",\"msg-3\"]", "match-b [\"msg-2\"]");
    }

    @Test
    void shouldReadOneMessagePerLine_fromStdin() throws Exception {
        InputStream stdin = new ByteArrayInputStream("salut\n\ntu fais quoi ?\nt'as un chat ?\n".getBytes(StandardCharsets.UTF_8));
        assertThat(run(Map.of(), stdin, () -> { }, "--message", "-", "--match", "match-stdin")).isZero();
        assertThat(printed()).contains("--message, 3 records").contains("== 3 records: REPLIED 1, COALESCED 2; 1 reply delivered");
        assertThat(section("-- replies delivered").getFirst().get("inReplyTo")).extracting(JsonNode::asText)
                .containsExactly("msg-1", "msg-2", "msg-3");
    }

    @Test
    void shouldSaySo_whenYourOwnRedisRemembersTheIdsOfAnEarlierRun() throws Exception {
        RealRedis.flush();
        Map<String, String> ownRedis = RealRedis.env();
        assertThat(run(ownRedis, "--message", "tu fais quoi ?", "--match", "match-own")).isZero();
        assertThat(printed()).doesNotContain("started an embedded Redis").contains("REPLIED 1").doesNotContain("note:");
        out.reset();
        assertThat(run(ownRedis, "--message", "tu fais quoi ?", "--match", "match-own")).isZero();
        assertThat(printed()).contains("SKIPPED_ALREADY_ANSWERED 1")
                .contains("note: REDIS_URL is your own Redis, which remembers answered messageIds for 3600 s");
    }

    @Test
    void shouldKeepTheEmbeddedRedis_printItsCommands_andStopOnTheSignal() throws Exception {
        CountDownLatch stop = new CountDownLatch(1);
        CompletableFuture<Integer> status = CompletableFuture.supplyAsync(() -> {
            try {
                return run(Map.of(), new ByteArrayInputStream(new byte[0]), stop::await,
                        "--message", "tu fais quoi ce week-end ?", "--match", "match-kept", "--keep-redis");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!printed().contains("Ctrl-C stops") && System.nanoTime() < deadline && !status.isDone()) {
            Thread.sleep(50);
        }
        String printed = printed();
        assertThat(printed).contains("Ctrl-C stops the embedded Redis");
        Matcher url = Pattern.compile("keeps running \\(--keep-redis\\): (redis://127\\.0\\.0\\.1:(\\d+))").matcher(printed);
        assertThat(url.find()).isTrue();
        int port = Integer.parseInt(url.group(2));
        assertThat(printed).contains("redis-cli -p " + port + " --scan --pattern 'rg:{match-kept}:*'")
                .contains("redis-cli -p " + port + " TTL 'rg:{match-kept}:answered:msg-1'")
                .contains("REDIS_URL=" + url.group(1) + " mvn -q compile exec:java -Dexec.mainClass=com.replyguard.redis.GuardInspector"
                        + " -Dexec.args=\"match-kept --message msg-1\"");

        // the printed pattern finds the guard's keys of that match, on the Redis that kept running
        RedisClient client = RedisClient.create(url.group(1));
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            List<String> keys = new ArrayList<>();
            ScanIterator.scan(connection.sync(), ScanArgs.Builder.matches("rg:{match-kept}:*")).forEachRemaining(keys::add);
            assertThat(keys).contains("rg:{match-kept}:answered:msg-1", "rg:{match-kept}:questions", "rg:{match-kept}:replies");
            assertThat(connection.sync().ttl("rg:{match-kept}:answered:msg-1")).isBetween(3000L, 3600L);
        } finally {
            client.shutdown();
        }
        if (onPath("redis-cli")) { // and so does the printed command itself
            String scan = printed.lines().filter(l -> l.contains("--scan")).findFirst().orElseThrow().replaceAll("#.*", "").strip();
            Process cli = new ProcessBuilder("bash", "-c", scan).redirectErrorStream(true).start();
            String listed = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(cli.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(listed).contains("rg:{match-kept}:answered:msg-1");
        }
        assertThat(status).isNotDone();

        stop.countDown();
        assertThat(status.get(30, TimeUnit.SECONDS)).isZero();
        assertThat(printed()).contains("embedded Redis stopped");
        assertThat(listening(port)).as("the embedded Redis is stopped after the signal").isFalse();
    }

    @Test
    void shouldRefuseToKeepRedis_whenTheGuardIsOff() throws Exception {
        assertThat(run(Map.of("GUARD_ENABLED", "false"), "--message", "salut", "--keep-redis")).isEqualTo(LocalInvoke.USAGE);
        assertThat(errors()).contains("GUARD_ENABLED is false: no Redis is used");
    }

    // ------------------------------------------------------------------ mistakes: one line each, exit status 2

    private void assertOneLineError(int status, String expected) {
        assertThat(status).isEqualTo(LocalInvoke.USAGE);
        assertThat(errors().lines().toList()).as("one line on stderr").hasSize(1);
        assertThat(errors()).contains(expected).doesNotContain("Exception").doesNotContain("com.fasterxml")
                .doesNotContain("Source:").doesNotContain("\tat ");
        assertThat(printed()).as("nothing ran").doesNotContain("== invocation");
    }

    @Test
    void shouldSayTheFileIsNotFound() throws Exception {
        assertOneLineError(run(Map.of(), "-e", "events/nope.json"), "LocalInvoke: events/nope.json: event file not found (relative to ");
    }

    @Test
    void shouldSayTheFileIsNotJson_withoutTheParsersInternals(@TempDir Path dir) throws Exception {
        String whole = Files.readString(Path.of("events/one-message.json"));
        Path truncated = Files.writeString(dir.resolve("truncated.json"), whole.substring(0, whole.length() / 2));
        assertOneLineError(run(Map.of(), "-e", truncated.toString()),
                truncated + ": not valid JSON: it ends before the JSON is complete at line");

        err.reset();
        Path garbage = Files.writeString(dir.resolve("garbage.json"), "{\"Records\": [oops]}");
        assertOneLineError(run(Map.of(), "-e", garbage.toString()), garbage + ": not valid JSON: syntax error at line 1, column");
    }

    @Test
    void shouldSayTheFileIsNotAnSqsEvent() throws Exception {
        assertOneLineError(run(Map.of(), "-e", "events/env.json"), "events/env.json: not an SQS event: it has no \"Records\" array");
    }

    @Test
    void shouldSayAnEventWithNoRecordIsNotInvoked(@TempDir Path dir) throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.json"), "{\"Records\": []}");
        assertOneLineError(run(Map.of(), "-e", empty.toString()), "its \"Records\" array is empty");
    }

    @Test
    void shouldSayTheEnvVarsFileIsMissingOrWrong() throws Exception {
        assertOneLineError(run(Map.of(), "-e", "events/one-message.json", "--env-vars", "events/missing-env.json"),
                "events/missing-env.json: env-vars file not found");
        err.reset();
        assertOneLineError(run(Map.of(), "-e", "events/one-message.json", "--env-vars", "events/one-message.json"),
                "events/one-message.json: not a SAM env-vars file");
    }

    @Test
    void shouldExitTwoWithTheVariablesName_whenTheConfigurationIsWrong() throws Exception {
        assertOneLineError(run(Map.of("QUESTION_SIMILARITY", "1.5"), "-e", "events/one-message.json"),
                "QUESTION_SIMILARITY must be a number between 0 and 1");
    }

    @Test
    void shouldExplainUsage_whenNothingIsGiven_anArgumentIsUnknown_orAValueIsMissing() throws Exception {
        assertOneLineError(run(Map.of()), "nothing to send: give an event file (-e FILE) or a message (--message TEXT)");
        err.reset();
        assertOneLineError(run(Map.of(), "--evnt", "events/one-message.json"), "unknown argument --evnt   (--help shows the usage)");
        err.reset();
        assertOneLineError(run(Map.of(), "-e"), "-e needs a value");
        err.reset();
        assertOneLineError(run(Map.of(), "--message-id", "x"), "--message-id names the --message before it");
        err.reset();
        assertOneLineError(run(Map.of(), "--message", "-"), "--message - read no message from stdin");
    }

    @Test
    void shouldShowHelp_withTheExitStatuses_andExitZero() throws Exception {
        assertThat(run(Map.of(), "--help")).isZero();
        assertThat(printed()).contains("--message TEXT").contains("--keep-redis").contains("--env-vars FILE")
                .contains("0  every record succeeded").contains("1  some record is in batchItemFailures")
                .contains("2  usage or configuration error");
    }

    @Test
    void shouldReadSamEnvVars_globalParametersThenTheFunctionsOwn() throws Exception {
        assertThat(LocalInvoke.readEnvVars(Path.of("events/env.json")))
                .containsEntry("GENERATOR", "scripted").containsEntry("REPLY_SINK", "stdout");
        assertThatThrownBy(() -> LocalInvoke.readEnvVars(Path.of("events/rapid-sequence.json")))
                .isInstanceOf(LocalInvoke.UsageException.class).hasMessageContaining("not a SAM env-vars file");
    }

    private static boolean onPath(String command) {
        String path = System.getenv("PATH");
        return path != null && java.util.Arrays.stream(path.split(java.io.File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, command)));
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), (int) Duration.ofSeconds(1).toMillis());
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
