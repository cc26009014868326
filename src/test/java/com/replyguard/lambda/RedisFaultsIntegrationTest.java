package com.replyguard.lambda;

import com.replyguard.testing.Pacing;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.replyguard.testing.BlackHole;
import com.replyguard.testing.Capture;
import com.replyguard.testing.FaultyProxy;
import com.replyguard.testing.RedisMonitor;
import com.replyguard.testing.RedisProcess;
import com.replyguard.testing.Sqs;
import com.replyguard.testing.TlsFiles;
import com.sun.net.httpserver.HttpServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * I4, fail open and fast: real faults under the real handler, with the production defaults
 * (command timeout 300 ms, connect timeout 1 s, breaker after 3 failures). Redis refuses, black-holes
 * (a real listener that accepts and never answers), is killed with SIGKILL mid-run and restarted, or
 * pauses (CLIENT PAUSE, a real slow Redis). Every message must still be answered, each invocation
 * must wait no longer than the timeouts, and after the breaker opens a message must stop paying for
 * Redis. Timings are printed as figures for docs/faults.md, and asserted only with generous bounds.
 */
@Tag("own-servers")
class RedisFaultsIntegrationTest {

    /** Generous upper bound of one message's guard time: connect budget (2 × 1 s + 1 s) plus scheduling slack. */
    private static final double MAX_GUARD_MS = 3_000 + 2_000;

    private static final List<String> FIGURES = new ArrayList<>();

    private final Capture log = new Capture();
    private final Capture replies = new Capture();

    @AfterAll
    static void printFigures() {
        System.out.println("| fault | what the worker did | replies delivered | guard time, messages that tried Redis | guard time after the breaker opened |");
        System.out.println("|---|---|---|---|---|");
        FIGURES.forEach(System.out::println);
    }

    private static Map<String, String> env(String url, String... overrides) {
        // the production defaults for timeouts and threshold; a cool-down long enough that no probe
        // runs during a counting phase, unless a test overrides it
        return Containers.env(Map.of("REDIS_URL", url, "REDIS_BREAKER_COOLDOWN_MS", "60000"), overrides);
    }

    private ReplyGuardHandler container(Map<String, String> env) {
        return Containers.start(env, Clock.systemUTC(), log, replies);
    }

    /** One log line per message, as the handler wrote it. */
    private record Message(String outcome, double guardMs, String error) {
        boolean failedFastOnBreaker() {
            return error != null && error.contains("breaker");
        }
    }

    /** What a run of messages did. */
    private record Run(List<Message> messages, int delivered, double wallMs) {
        List<Message> triedRedis() {
            return messages.stream().filter(m -> !m.failedFastOnBreaker()).toList();
        }

        List<Message> breakerOpen() {
            return messages.stream().filter(Message::failedFastOnBreaker).toList();
        }

        double maxGuardMs(List<Message> of) {
            return of.stream().mapToDouble(Message::guardMs).max().orElse(0);
        }

        double p50GuardMs(List<Message> of) {
            double[] sorted = of.stream().mapToDouble(Message::guardMs).sorted().toArray();
            return sorted.length == 0 ? 0 : sorted[sorted.length / 2];
        }

        Map<String, Integer> outcomes() {
            Map<String, Integer> counts = new TreeMap<>();
            messages.forEach(m -> counts.merge(m.outcome(), 1, Integer::sum));
            return counts;
        }
    }

    /** Sends {@code count} messages one invocation at a time, each for its own match. */
    private Run sequential(ReplyGuardHandler handler, int count, String name) {
        log.reset();
        replies.reset();
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            SQSBatchResponse response = handler.handleRequest(Sqs.event(Sqs.record(name + "-" + i,
                    Sqs.job("m-" + name + "-" + i, "msg-" + name + "-" + i, "tu fais quoi ce soir ?"), 1)), null);
            assertThat(response.getBatchItemFailures()).as("no record of a Redis outage is retried").isEmpty();
        }
        return collect(start);
    }

    /** Sends {@code count} messages of different matches in one batch (they run concurrently). */
    private Run oneBatch(ReplyGuardHandler handler, int count, String name) {
        log.reset();
        replies.reset();
        SQSEvent.SQSMessage[] records = new SQSEvent.SQSMessage[count];
        for (int i = 0; i < count; i++) {
            records[i] = Sqs.record(name + "-" + i, Sqs.job("m-" + name + "-" + i, "msg-" + name + "-" + i, "salut !"), 1);
        }
        long start = System.nanoTime();
        assertThat(handler.handleRequest(Sqs.event(records), null).getBatchItemFailures()).isEmpty();
        return collect(start);
    }

    private Run collect(long startNanos) {
        double wall = (System.nanoTime() - startNanos) / 1e6;
        List<Message> messages = new ArrayList<>();
        for (JsonNode line : log.records()) {
            if (line.has("outcome")) {
                messages.add(new Message(line.get("outcome").asText(), line.get("guardMs").asDouble(),
                        line.has("error") ? line.get("error").asText() : null));
            }
        }
        return new Run(messages, replies.jsonLines().size(), wall);
    }

    private static void figure(String fault, String did, Run run) {
        String line = String.format(java.util.Locale.ROOT, "| %s | %s | %d / %d | %d tried, max %.0f ms | %d failed fast, p50 %.3f ms, max %.3f ms |",
                fault, did, run.delivered(), run.messages().size(), run.triedRedis().size(), run.maxGuardMs(run.triedRedis()),
                run.breakerOpen().size(), run.p50GuardMs(run.breakerOpen()), run.maxGuardMs(run.breakerOpen()));
        FIGURES.add(line);
        System.out.println(fault + ": outcomes " + run.outcomes() + ", wall " + Math.round(run.wallMs()) + " ms, guard ms of those that tried Redis "
                + run.triedRedis().stream().map(m -> Long.toString(Math.round(m.guardMs()))).toList());
    }

    private static void assertAnsweredWithoutGuard(Run run, int count) {
        assertThat(run.messages()).hasSize(count).allMatch(m -> m.outcome().equals("GUARD_BYPASSED"));
        assertThat(run.delivered()).as("replies delivered").isEqualTo(count);
        assertThat(run.messages()).allSatisfy(m -> assertThat(m.guardMs()).isLessThan(MAX_GUARD_MS));
    }

    @Test
    void shouldAnswerEveryMessage_andStopTryingRedisAfterOneFailure_whenRedisRefusesConnections() {
        try (ReplyGuardHandler handler = container(env("redis://127.0.0.1:" + RedisProcess.unusedPort()))) {
            Run run = sequential(handler, 20, "refused");
            assertAnsweredWithoutGuard(run, 20);
            assertThat(run.triedRedis()).hasSize(1);
            assertThat(run.triedRedis()).allMatch(m -> m.error().contains("NotConnectedException"));
            figure("refused (nothing listens on the port), 20 messages one by one", "GUARD_BYPASSED × 20; breaker opened after 1", run);
        }
    }

    @Test
    void shouldStartWithoutTouchingRedis_andAnswerWithinTheTimeouts_whenRedisIsBlackHoled() {
        try (BlackHole hole = new BlackHole()) {
            long start = System.nanoTime();
            try (ReplyGuardHandler handler = container(env("redis://127.0.0.1:" + hole.port()))) {
                double initMs = (System.nanoTime() - start) / 1e6;
                assertThat(hole.accepted()).as("the init phase opens no connection").isZero();
                System.out.println("cold start (handler built) with a black-holed Redis: " + Math.round(initMs) + " ms, 0 connections");

                Run run = sequential(handler, 20, "blackhole");
                assertAnsweredWithoutGuard(run, 20);
                assertThat(run.triedRedis()).hasSize(1);
                assertThat(run.triedRedis()).allMatch(m -> m.guardMs() >= 900, "it paid the ~1 s handshake timeout");
                figure("black-holed (accepts, never answers), 20 messages one by one", "GUARD_BYPASSED × 20; breaker opened after 1", run);
            }
        }
    }

    @Test
    void shouldMakeOneConnectionAttemptForAWholeBatch_whenRedisIsBlackHoledAtColdStart() {
        try (BlackHole hole = new BlackHole();
             ReplyGuardHandler handler = container(env("redis://127.0.0.1:" + hole.port()))) {
            Run run = oneBatch(handler, 10, "coldbatch");
            assertAnsweredWithoutGuard(run, 10);
            // the 10 concurrent records shared one connection attempt instead of queueing 10 of them
            assertThat(hole.accepted()).isEqualTo(1);
            assertThat(run.wallMs()).as("the batch waited about one connect timeout, not ten").isLessThan(MAX_GUARD_MS);
            figure("black-holed at cold start, one batch of 10 concurrent records", "GUARD_BYPASSED × 10; one shared connection attempt; batch took "
                    + Math.round(run.wallMs()) + " ms", run);
        }
    }

    @Test
    void shouldBoundTheTopologyLoad_whenAClusterSeedIsBlackHoled() {
        try (BlackHole hole = new BlackHole();
             ReplyGuardHandler handler = container(env("redis://127.0.0.1:" + hole.port(), "REDIS_CLUSTER", "true"))) {
            assertThat(hole.accepted()).as("the cluster client opens nothing at init either").isZero();
            Run run = sequential(handler, 10, "clusterhole");
            assertAnsweredWithoutGuard(run, 10);
            assertThat(run.triedRedis()).hasSize(1);
            figure("black-holed cluster seed (REDIS_CLUSTER=true), 10 messages", "GUARD_BYPASSED × 10; breaker opened after 1", run);
        }
    }

    @Test
    void shouldBoundTheTlsHandshake_whenARedissEndpointIsBlackHoled() {
        try (BlackHole hole = new BlackHole();
             ReplyGuardHandler handler = container(env("rediss://default:pw@127.0.0.1:" + hole.port(),
                     "REDIS_TLS_CA_FILE", TlsFiles.shared().certificate().toString()))) {
            Run run = sequential(handler, 10, "tlshole");
            assertAnsweredWithoutGuard(run, 10);
            assertThat(run.triedRedis()).hasSize(1);
            // Netty's default TLS handshake timeout is 10 s: the connector bounds it by the connect timeout
            assertThat(run.maxGuardMs(run.triedRedis())).isLessThan(MAX_GUARD_MS);
            figure("black-holed rediss:// endpoint (TLS handshake unanswered), 10 messages", "GUARD_BYPASSED × 10; breaker opened after 1", run);
        }
    }

    @Test
    void shouldAnswerEveryMessage_andResumeGuardingByItself_whenRedisIsKilledMidRunAndComesBack() {
        try (RedisProcess redis = RedisProcess.builder().start();
             ReplyGuardHandler handler = container(env("redis://127.0.0.1:" + redis.port(), "REDIS_BREAKER_COOLDOWN_MS", "300"))) {
            Run before = sequential(handler, 5, "before-kill");
            assertThat(before.outcomes()).isEqualTo(Map.of("REPLIED", 5));

            redis.kill();
            Run during = sequential(handler, 20, "killed");
            assertAnsweredWithoutGuard(during, 20);
            // one failure opens the breaker; then at most one probe per 300 ms cool-down
            long probesPossible = 1 + Math.round(during.wallMs() / 300);
            assertThat(during.triedRedis().size()).isBetween(1, 1 + (int) probesPossible);
            assertThat(during.triedRedis()).allSatisfy(m -> assertThat(m.guardMs()).isLessThan(MAX_GUARD_MS));
            figure("killed (SIGKILL) mid-run, 20 messages one by one", "GUARD_BYPASSED × 20; commands rejected at once while disconnected", during);

            redis.restart();
            long back = System.nanoTime();
            int attempts = 0;
            String outcome = "";
            while (!outcome.equals("REPLIED")) {
                assertThat(System.nanoTime() - back).as("guards resumed within 30 s of Redis coming back")
                        .isLessThan(TimeUnit.SECONDS.toNanos(30));
                attempts++;
                log.reset();
                handler.handleRequest(Sqs.event(Sqs.record("back-" + attempts,
                        Sqs.job("m-back-" + attempts, "msg-back", "et toi ?"), 1)), null);
                outcome = log.outcomes().getFirst();
                if (!outcome.equals("REPLIED")) {
                    assertThat(outcome).isEqualTo("GUARD_BYPASSED");
                    Pacing.pause(50); // messages keep arriving while Redis recovers: one every 50 ms
                }
            }
            double resumedMs = (System.nanoTime() - back) / 1e6;
            // the guard really works again: the same message redelivered is recognised
            log.reset();
            handler.handleRequest(Sqs.event(Sqs.record("back-" + attempts,
                    Sqs.job("m-back-" + attempts, "msg-back", "et toi ?"), 2)), null);
            assertThat(log.outcomes()).containsExactly("SKIPPED_ALREADY_ANSWERED");
            System.out.println("killed Redis restarted: guards resumed " + Math.round(resumedMs) + " ms after it answered PING, "
                    + attempts + " messages later, same container");
            FIGURES.add("| Redis restarted after the kill (cool-down 300 ms) | guards resumed by themselves, same container | – | "
                    + "resumed " + Math.round(resumedMs) + " ms after Redis was back (" + attempts + " messages) | – |");
        }
    }

    @Test
    void shouldAnswerEveryMessage_andLeaveOnlyKeysThatExpire_whenRedisIsSlowerThanTheTimeout() throws Exception {
        try (RedisProcess redis = RedisProcess.builder().start();
             ReplyGuardHandler handler = container(env("redis://127.0.0.1:" + redis.port()))) {
            assertThat(sequential(handler, 2, "warm").outcomes()).isEqualTo(Map.of("REPLIED", 2));

            // a real slow Redis: every client is held for 3 s (commands run afterwards), longer than a
            // command (300 ms) and its one retry (2 s) together
            assertThat(redis.command("CLIENT PAUSE 3000 ALL")).isEqualTo("+OK");
            Run run = sequential(handler, 20, "slow");
            assertThat(run.delivered()).as("every message answered").isEqualTo(20);
            Message first = run.messages().getFirst();
            assertThat(first.outcome()).isEqualTo("GUARD_BYPASSED");
            assertThat(first.error()).contains("RedisCommandTimeoutException");
            assertThat(first.guardMs()).as("the admit's 300 ms timeout, then its retry's 2 s").isBetween(2_250.0, MAX_GUARD_MS);
            // the first invocation waited (at most 2 s, after its reply was sent) for Redis to answer, recorded
            // that reply and cleared the flag its timed-out admit took: the breaker closed, the rest are guarded
            assertThat(run.messages().subList(1, 20)).allMatch(m -> m.outcome().equals("REPLIED") || m.outcome().equals("GUARD_BYPASSED"));
            assertThat(run.messages()).allSatisfy(m -> assertThat(m.guardMs()).isLessThan(MAX_GUARD_MS));
            figure("slow (CLIENT PAUSE 3 s, longer than the 300 ms timeout and the 2 s retry), 20 messages", "the first GUARD_BYPASSED after its admit and one retry timed out; "
                    + "its reply recorded once Redis answered; then " + run.outcomes(), run);

            // A timed-out command is unknown: it may have run once the pause ended. Whatever it left
            // must expire by itself (I6): no key without a TTL, no flag longer than the guard TTL.
            assertThat(redis.command("PING")).isEqualTo("+PONG"); // answered once the pause is over
            try (RedisClient client = RedisClient.create("redis://127.0.0.1:" + redis.port());
                 StatefulRedisConnection<String, String> inspect = client.connect()) {
                List<String> keys = new ArrayList<>();
                ScanIterator.scan(inspect.sync(), ScanArgs.Builder.limit(100)).forEachRemaining(keys::add);
                assertThat(keys).isNotEmpty();
                for (String key : keys) {
                    long ttl = inspect.sync().pttl(key);
                    assertThat(ttl).as("TTL of " + key).isPositive();
                    if (key.endsWith(":flag")) {
                        assertThat(ttl).as("a flag left by a timed-out admit expires with the guard TTL").isLessThanOrEqualTo(60_000);
                    }
                }
                System.out.println("after the pause: " + keys.size() + " keys, all with a TTL; flags " +
                        keys.stream().filter(k -> k.endsWith(":flag")).count());
            }
        }
    }

    @Test
    void shouldAnswerUnderTheGuard_whenRedisStallsForLessThanTheRetryTimeout() {
        try (RedisProcess redis = RedisProcess.builder().start();
             ReplyGuardHandler handler = container(env("redis://127.0.0.1:" + redis.port()))) {
            assertThat(sequential(handler, 1, "warm").outcomes()).isEqualTo(Map.of("REPLIED", 1));
            assertThat(redis.command("CLIENT PAUSE 1000 ALL")).isEqualTo("+OK");
            Run run = sequential(handler, 5, "stall");
            // the admit timed out after 300 ms; its retry, same token, waited and found its own flag
            assertThat(run.outcomes()).isEqualTo(Map.of("REPLIED", 5));
            assertThat(run.messages().getFirst().guardMs()).as("about the stall").isBetween(650.0, MAX_GUARD_MS);
            figure("stalled (CLIENT PAUSE 1 s, longer than the 300 ms timeout, shorter than the 2 s retry), 5 messages",
                    "REPLIED × 5: the admit's retry found its own flag", run);
        }
    }

    @Test
    void shouldClearTheFlagsOfTimedOutAdmitsThatRanLate_andRememberTheReplies_onceRedisAnswers() {
        // breaker effectively off: the connection stays, so the admits queued during the pause do run afterwards
        try (RedisProcess redis = RedisProcess.builder().start();
             // a retry no more patient than a command: the pause outlasts both, the admit fails open
             ReplyGuardHandler handler = container(env("redis://127.0.0.1:" + redis.port(), "REDIS_BREAKER_FAILURES", "1000",
                     "REDIS_RETRY_TIMEOUT_MS", "300"));
             RedisClient client = RedisClient.create("redis://127.0.0.1:" + redis.port());
             StatefulRedisConnection<String, String> inspect = client.connect()) {
            assertThat(sequential(handler, 1, "warm").outcomes()).isEqualTo(Map.of("REPLIED", 1));
            assertThat(redis.command("CLIENT PAUSE 1500 ALL")).isEqualTo("+OK");
            Run run = sequential(handler, 3, "late");
            assertThat(run.delivered()).isEqualTo(3);
            assertThat(run.messages().getFirst().outcome()).isEqualTo("GUARD_BYPASSED");
            assertThat(run.messages().getFirst().error()).contains("RedisCommandTimeoutException");

            assertThat(redis.command("PING")).isEqualTo("+PONG"); // the pause is over, the queued admits ran
            for (int i = 0; i < 3; i++) {
                // the timed-out admit did take the flag (its outcome was unknown, not "failed"); once Redis
                // answered again, the invocation recorded its reply and cleared that flag
                assertThat(inspect.sync().exists("rg:{m-late-" + i + "}:flag")).as("flag of m-late-" + i).isZero();
                assertThat(inspect.sync().exists("rg:{m-late-" + i + "}:answered:msg-late-" + i)).as("answered").isEqualTo(1);
            }
        }
    }

    @Test
    void shouldNotReplayAnAdmit_whenTheConnectionDropsBeforeItsAnswer() throws Exception {
        ExecutorService invocation = Executors.newSingleThreadExecutor();
        try (RedisProcess redis = RedisProcess.builder().start();
             FaultyProxy proxy = new FaultyProxy(redis.port());
             // a long command timeout: the failure below must come from the dropped connection, not a timeout
             ReplyGuardHandler handler = container(env("redis://127.0.0.1:" + proxy.port(), "REDIS_TIMEOUT_MS", "5000",
                     "REDIS_BREAKER_FAILURES", "1000"));
             RedisClient client = RedisClient.create("redis://127.0.0.1:" + redis.port());
             StatefulRedisConnection<String, String> inspect = client.connect();
             RedisMonitor monitor = RedisMonitor.start(redis.port())) {
            assertThat(sequential(handler, 1, "warm").outcomes()).isEqualTo(Map.of("REPLIED", 1));

            // the admit reaches Redis and runs, but its answer is lost and the connection drops
            proxy.swallowAnswers(true);
            log.reset();
            replies.reset();
            Future<SQSBatchResponse> response = invocation.submit(() -> handler.handleRequest(Sqs.event(
                    Sqs.record("replay-1", Sqs.job("m-replay", "msg-replay", "tu viens ce soir ?"), 1)), null));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (inspect.sync().exists("rg:{m-replay}:flag") == 0) {
                assertThat(System.nanoTime()).as("the admit ran on Redis").isLessThan(deadline);
                Thread.onSpinWait();
            }
            proxy.swallowAnswers(false);
            proxy.cutConnections();
            assertThat(response.get(10, TimeUnit.SECONDS).getBatchItemFailures()).isEmpty();
            JsonNode line = log.records().getFirst();
            assertThat(line.get("outcome").asText()).as("answered without the guard").isEqualTo("GUARD_BYPASSED");
            assertThat(line.get("guardMs").asDouble()).as("failed on the disconnect, not after the 5 s timeout").isLessThan(4_000);
            assertThat(replies.jsonLines()).hasSize(1);

            // the client reconnects by itself; the next message is guarded again
            String outcome = "";
            for (int i = 0; !outcome.equals("REPLIED"); i++) {
                assertThat(System.nanoTime()).as("reconnected within 30 s").isLessThan(deadline + TimeUnit.SECONDS.toNanos(25));
                log.reset();
                handler.handleRequest(Sqs.event(Sqs.record("after-" + i, Sqs.job("m-after-" + i, "msg-1", "salut"), 1)), null);
                outcome = log.outcomes().getFirst();
                if (!outcome.equals("REPLIED")) {
                    Pacing.pause(50); // reconnect back-off: 100 ms to seconds, with jitter
                }
            }
            // exactly one admit for m-replay reached Redis: it was not re-sent after the reconnect
            // (a replayed admit would find its own flag, answer IN_PROGRESS, and the message would be lost)
            String admitSha = sha1("admit.lua");
            List<String> admits = monitor.clientCommandsUntilMarker("end").stream()
                    .filter(c -> c.contains(admitSha) && c.contains("rg:{m-replay}:flag")).toList();
            assertThat(admits).hasSize(1);
        } finally {
            invocation.shutdownNow();
        }
    }

    @Test
    void shouldStillDeliverTheReply_whenRedisIsKilledWhileTheReplyIsBeingDelivered() throws Exception {
        CountDownLatch arrived = new CountDownLatch(1);
        CountDownLatch proceed = new CountDownLatch(1);
        List<String> delivered = java.util.Collections.synchronizedList(new ArrayList<>());
        HttpServer webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        webhook.createContext("/replies", exchange -> {
            delivered.add(new String(exchange.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            arrived.countDown();
            try {
                proceed.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        webhook.setExecutor(Executors.newCachedThreadPool());
        webhook.start();
        ExecutorService invocation = Executors.newSingleThreadExecutor();
        try (RedisProcess redis = RedisProcess.builder().start();
             ReplyGuardHandler handler = container(env("redis://127.0.0.1:" + redis.port(), "REPLY_SINK", "webhook",
                     "REPLY_WEBHOOK_URL", "http://127.0.0.1:" + webhook.getAddress().getPort() + "/replies"))) {
            Future<SQSBatchResponse> response = invocation.submit(() -> handler.handleRequest(Sqs.event(
                    Sqs.record("mid-1", Sqs.job("m-mid", "msg-mid", "on se voit samedi ?"), 1)), null));
            assertThat(arrived.await(10, TimeUnit.SECONDS)).isTrue(); // admitted, generated, now delivering
            redis.kill();
            proceed.countDown();
            assertThat(response.get(10, TimeUnit.SECONDS).getBatchItemFailures()).isEmpty();
        } finally {
            invocation.shutdownNow();
            webhook.stop(0);
        }
        JsonNode line = log.records().getFirst();
        assertThat(line.get("outcome").asText()).isEqualTo("REPLIED");
        // the reply was committed before delivery: Redis dying during delivery changes nothing
        assertThat(line.has("error")).isFalse();
        assertThat(delivered).hasSize(1);
    }


    private static String sha1(String script) throws Exception {
        try (var in = com.replyguard.redis.RedisReplyGuard.class.getResourceAsStream(script)) {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-1").digest(in.readAllBytes()));
        }
    }
}
