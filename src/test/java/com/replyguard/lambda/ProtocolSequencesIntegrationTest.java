package com.replyguard.lambda;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.replyguard.testing.Capture;
import com.replyguard.testing.FaultyProxy;
import com.replyguard.testing.FixedContext;
import com.replyguard.testing.MutableClock;
import com.replyguard.testing.Pacing;
import com.replyguard.testing.RedisProcess;
import com.replyguard.testing.Sqs;
import com.sun.net.httpserver.HttpServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The guard under ambiguous faults, one sequence each, through the handler against a real Redis:
 * a command that timed out on the client but ran on the server ({@code CLIENT PAUSE}, or a proxy
 * that drops an answer), a container killed with SIGKILL between two steps, a holder stalled
 * between two of its commands, a deadline, a poison message. Each asserts what a receiver and the
 * queue see: every message answered once, or still on the queue to be; never answered twice.
 */
@Tag("own-servers")
class ProtocolSequencesIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static RedisProcess redis;
    private static RedisClient client;
    private static RedisCommands<String, String> inspect;

    private final Capture log = new Capture();
    private final Capture replies = new Capture();
    private final List<ReplyGuardHandler> handlers = new ArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private Receiver receiver;

    @BeforeAll
    static void startRedis() {
        redis = RedisProcess.builder().start();
        client = RedisClient.create("redis://127.0.0.1:" + redis.port());
        StatefulRedisConnection<String, String> connection = client.connect();
        inspect = connection.sync();
    }

    @AfterAll
    static void stopRedis() {
        client.shutdown();
        redis.close();
    }

    @BeforeEach
    void clean() throws Exception {
        inspect.flushall();
        receiver = new Receiver();
    }

    @AfterEach
    void close() {
        receiver.close();
        handlers.forEach(ReplyGuardHandler::close);
        threads.shutdownNow();
    }

    // ------------------------------------------------------------------ timed out, but ran

    @Test
    void shouldAnswerTheNextMessage_whenAnAdmitTimedOutButRan() throws Exception {
        ReplyGuardHandler a = container(env(), Clock.systemUTC());
        ReplyGuardHandler b = container(env(), Clock.systemUTC());
        warm(a);
        warm(b);
        // A's admit times out (500 ms) and runs when the pause ends: the flag is set with A's token
        assertThat(redis.command("CLIENT PAUSE 700 ALL")).isEqualTo("+OK");
        SQSBatchResponse first = a.handleRequest(Sqs.event(Sqs.record("s1", Sqs.job("m-ghost", "msg-1", "salut"), 1)), null);
        assertThat(first.getBatchItemFailures()).isEmpty();
        assertThat(log.records().getLast().get("outcome").asText()).as("the admit's retry found its own flag: guarded")
                .isEqualTo("REPLIED");
        // the user's next message, within the guard TTL, reaches another container
        SQSBatchResponse second = b.handleRequest(Sqs.event(Sqs.record("s2",
                Sqs.job("m-ghost", "msg-2", "tu fais quoi ce soir ?"), 1)), null);

        assertThat(answered("m-ghost")).as("msg-1 answered once").containsEntry("msg-1", 1);
        assertThat(answered("m-ghost").getOrDefault("msg-2", 0) == 1 || Sqs.failedIds(second).contains("s2"))
                .as("msg-2 answered, or kept on the queue to be; never acknowledged unanswered").isTrue();
    }

    @Test
    void shouldResendTheCommittedReply_whenACommitTimedOutButRanAndTheDeliveryFailed(@TempDir Path dir) throws Exception {
        Path rules = dir.resolve("rules.json");
        Files.writeString(rules, "[{\"replies\": [\"Réponse unique pour ce commit\"]}]");
        try (FaultyProxy proxy = new FaultyProxy(redis.port())) {
            MutableClock clock = MutableClock.startingNow();
            ReplyGuardHandler a = container(env("REDIS_URL", "redis://127.0.0.1:" + proxy.port(), "REPLY_SINK", "webhook",
                    "REPLY_WEBHOOK_URL", receiver.url(), "REPLY_WEBHOOK_TIMEOUT_MS", "1000", "SCRIPTED_REPLIES", rules.toString()), clock);
            warm(a);
            receiver.failNext(1);
            // the commit (the only command carrying the reply's text) reaches Redis and runs; its connection is cut
            // before the answer arrives
            proxy.cutOnAnswerTo("reponse unique pour ce commit");
            SQSBatchResponse first = a.handleRequest(Sqs.event(Sqs.record("c1", Sqs.job("m-commit", "msg-1", "tu bosses où ?"), 1)), null);
            proxy.cutOnAnswerTo(null);
            assertThat(Sqs.failedIds(first)).as("the delivery failed: retried").containsExactly("c1");
            awaitGuarded(a); // reconnected, breaker closed: the retry sees what the commit wrote

            clock.advance(Duration.ofSeconds(30));
            SQSBatchResponse retry = a.handleRequest(Sqs.event(Sqs.record("c1", Sqs.job("m-commit", "msg-1", "tu bosses où ?"), 2)), null);

            assertThat(retry.getBatchItemFailures()).isEmpty();
            assertThat(answered("m-commit")).as("the message was answered on the retry").containsEntry("msg-1", 1);
        }
    }

    @Test
    void shouldAnswerAMessageOnce_whenItsHandoverTimedOutButRan() throws Exception {
        try (FaultyProxy proxy = new FaultyProxy(redis.port())) {
            ReplyGuardHandler holder = container(env("GENERATOR_DELAY_MS", "1500"), Clock.systemUTC());
            ReplyGuardHandler b = container(env("REDIS_URL", "redis://127.0.0.1:" + proxy.port()), Clock.systemUTC());
            warm(b);
            Future<SQSBatchResponse> held = threads.submit(() -> holder.handleRequest(Sqs.event(
                    Sqs.record("h1", Sqs.job("m-hand", "msg-1", "salut"), 1)), null));
            awaitKey("rg:{m-hand}:flag");
            // B's handover runs on Redis; its connection is cut before the answer arrives
            proxy.cutOnAnswerTo("\"id\":\"msg-2\"");
            SQSBatchResponse handed = b.handleRequest(Sqs.event(Sqs.record("h2",
                    Sqs.job("m-hand", "msg-2", "tu fais quoi ce soir ?"), 1)), null);
            proxy.cutOnAnswerTo(null);
            held.get(20, TimeUnit.SECONDS);

            Map<String, Integer> answered = answered("m-hand");
            assertThat(answered.getOrDefault("msg-2", 0)).as("msg-2 answered at most once").isLessThanOrEqualTo(1);
            assertThat(answered.getOrDefault("msg-2", 0) == 1 || Sqs.failedIds(handed).contains("h2")).isTrue();
        }
    }

    // ------------------------------------------------------------------ level 3, repeats

    @Test
    void shouldNotLeaveADifferentQuestionUnanswered_whenItsReplyIsTheSameTextAsARecentOne(@TempDir Path dir) throws Exception {
        Path rules = dir.resolve("rules.json");
        Files.writeString(rules, "[{\"replies\": [\"Haha, et toi ?\"]}]");
        ReplyGuardHandler a = container(env("SCRIPTED_REPLIES", rules.toString()), Clock.systemUTC());
        a.handleRequest(Sqs.event(Sqs.record("l1", Sqs.job("m-level3", "msg-1", "ça va ?"), 1)), null);
        SQSBatchResponse burst = a.handleRequest(Sqs.event(
                Sqs.record("l2", Sqs.job("m-level3", "msg-2", "tu fais quoi ce soir ?"), 1),
                Sqs.record("l3", Sqs.job("m-level3", "msg-3", "on se voit demain ?"), 1)), null);

        assertThat(burst.getBatchItemFailures()).isEmpty();
        assertThat(answered("m-level3")).containsEntry("msg-1", 1).containsEntry("msg-2", 1).containsEntry("msg-3", 1);
    }

    @Test
    void shouldNotHandOverARepeatOfAnAnsweredQuestion_whileAnotherMessageGenerates() throws Exception {
        ReplyGuardHandler a = container(env(), Clock.systemUTC());
        ReplyGuardHandler slow = container(env("GENERATOR_DELAY_MS", "1000"), Clock.systemUTC());
        a.handleRequest(Sqs.event(Sqs.record("r0", Sqs.job("m-rep", "msg-0", "tu fais quoi ce week-end ?"), 1)), null);
        Future<SQSBatchResponse> generating = threads.submit(() -> slow.handleRequest(Sqs.event(
                Sqs.record("r1", Sqs.job("m-rep", "msg-1", "tu as un chat ?"), 1)), null));
        awaitKey("rg:{m-rep}:flag");
        SQSBatchResponse again = a.handleRequest(Sqs.event(Sqs.record("r3",
                Sqs.job("m-rep", "msg-3", "Tu fais quoi ce weekend ?? 😅"), 1)), null);
        generating.get(20, TimeUnit.SECONDS);

        assertThat(again.getBatchItemFailures()).isEmpty();
        assertThat(answered("m-rep")).as("the repeat is not answered again").doesNotContainKey("msg-3")
                .containsEntry("msg-0", 1).containsEntry("msg-1", 1);
    }

    @Test
    void shouldRememberARepeat_soThatARedeliveryAfterTheGuardTtlDoesNotAnswerIt() {
        MutableClock clock = MutableClock.startingNow();
        ReplyGuardHandler a = container(env(), clock);
        SQSEvent batch = Sqs.event(
                Sqs.record("p1", Sqs.job("m-mark", "msg-1", "tu fais quoi ce soir ?"), 1),
                Sqs.record("p2", Sqs.job("m-mark", "msg-2", "Tu fais quoi ce soir ??"), 1));
        a.handleRequest(batch, null);
        clock.advance(Duration.ofSeconds(61)); // e.g. the whole batch back after a Lambda timeout
        a.handleRequest(Sqs.event(
                Sqs.record("p1", Sqs.job("m-mark", "msg-1", "tu fais quoi ce soir ?"), 2),
                Sqs.record("p2", Sqs.job("m-mark", "msg-2", "Tu fais quoi ce soir ??"), 2)), null);

        assertThat(answered("m-mark")).containsEntry("msg-1", 1).doesNotContainKey("msg-2");
    }

    // ------------------------------------------------------------------ marked answered, never delivered

    @Test
    void shouldDeliverEveryMessage_whenTheContainerIsKilledBetweenCommitAndDelivery() throws Exception {
        // container A (a process of its own) holds msg-1; msg-2 is handed over to it; A is killed when
        // its reply reaches the webhook, before the webhook takes it
        Path event = writeEvent(Sqs.record("k1", Sqs.job("m-kill", "msg-1", "salut"), 1));
        Map<String, String> childEnv = env("REPLY_SINK", "webhook", "REPLY_WEBHOOK_URL", receiver.url(),
                "GENERATOR_DELAY_MS", "1500", "REPLY_WEBHOOK_TIMEOUT_MS", "5000");
        Process a = startProcess(childEnv, event);
        CountDownLatch killed = new CountDownLatch(1);
        receiver.onRequest(body -> {
            a.destroyForcibly();
            killed.countDown();
        }, false);
        MutableClock clock = MutableClock.startingNow();
        ReplyGuardHandler b = container(env("REPLY_SINK", "webhook", "REPLY_WEBHOOK_URL", receiver.url()), clock);
        awaitKey("rg:{m-kill}:flag");
        SQSBatchResponse handedOver = b.handleRequest(Sqs.event(Sqs.record("k2",
                Sqs.job("m-kill", "msg-2", "tu fais quoi ce soir ?"), 1)), null);
        assertThat(killed.await(30, TimeUnit.SECONDS)).as("A reached its delivery").isTrue();
        a.waitFor(10, TimeUnit.SECONDS);
        receiver.onRequest(null, true);

        // SQS brings back what was not deleted: A's record (A never answered the batch) and B's, if kept
        clock.advance(Duration.ofSeconds(60));
        List<SQSEvent.SQSMessage> back = new ArrayList<>();
        back.add(Sqs.record("k1", Sqs.job("m-kill", "msg-1", "salut"), 2));
        if (Sqs.failedIds(handedOver).contains("k2")) {
            back.add(Sqs.record("k2", Sqs.job("m-kill", "msg-2", "tu fais quoi ce soir ?"), 2));
        }
        for (SQSEvent.SQSMessage record : back) {
            b.handleRequest(Sqs.event(record), null);
        }

        Set<String> delivered = new HashSet<>();
        receiver.accepted().forEach(r -> r.get("inReplyTo").forEach(id -> delivered.add(id.asText())));
        assertThat(delivered).as("no message lost with the killed container").contains("msg-1", "msg-2");
    }

    @Test
    void shouldNotCommitAReply_thatCannotBeDeliveredBeforeTheDeadline() throws Exception {
        receiver.delayAnswers(900);
        ReplyGuardHandler a = container(env("REPLY_SINK", "webhook", "REPLY_WEBHOOK_URL", receiver.url(),
                "REPLY_WEBHOOK_TIMEOUT_MS", "1000", "GENERATOR_DELAY_MS", "2000"), Clock.systemUTC());
        warm(a);
        long start = System.nanoTime();
        SQSBatchResponse response = a.handleRequest(Sqs.event(Sqs.record("d1", Sqs.job("m-late", "msg-1", "salut"), 1)),
                new FixedContext("req-late", 2600));
        long endedMs = (System.nanoTime() - start) / 1_000_000;

        boolean delivered = !receiver.accepted().isEmpty();
        if (delivered) {
            assertThat(receiver.lastAcceptedAtMs() - receiver.startedAtMs(start)).as("delivered before the deadline").isLessThan(2600);
        } else {
            assertThat(Sqs.failedIds(response)).containsExactly("d1");
            assertThat(inspect.exists("rg:{m-late}:answered:msg-1")).as("nothing committed").isZero();
        }
        assertThat(endedMs).as("the invocation ended before Lambda would kill it").isLessThan(2600);
    }

    @Test
    void shouldNotStartAFollowUp_thatWouldEndPastTheDeadline() throws Exception {
        ReplyGuardHandler holder = container(env("GENERATOR_DELAY_MS", "1000", "COALESCE_MAX_ROUNDS", "1"), Clock.systemUTC());
        ReplyGuardHandler b = container(env(), Clock.systemUTC());
        warm(b);
        long start = System.nanoTime();
        Future<SQSBatchResponse> first = threads.submit(() -> holder.handleRequest(Sqs.event(
                Sqs.record("f1", Sqs.job("m-follow", "msg-1", "salut"), 1)), new FixedContext("req-f", 1800)));
        awaitKey("rg:{m-follow}:flag");
        SQSBatchResponse handed = b.handleRequest(Sqs.event(Sqs.record("f2", Sqs.job("m-follow", "msg-2", "tu fais quoi ?"), 1)), null);
        SQSBatchResponse held = first.get(20, TimeUnit.SECONDS);
        long endedMs = (System.nanoTime() - start) / 1_000_000;

        assertThat(endedMs).as("the holder's invocation ended within its 1.8 s").isLessThan(1800);
        Map<String, Integer> answered = answered("m-follow");
        assertThat(answered.getOrDefault("msg-1", 0) == 1 || Sqs.failedIds(held).contains("f1")).isTrue();
        assertThat(answered.getOrDefault("msg-2", 0) == 1 || Sqs.failedIds(handed).contains("f2")).isTrue();
    }

    // ------------------------------------------------------------------ Redis down

    @Test
    void shouldReplyOnceToABatch_whoseRecordsAreOneMessageAndItsRepeats_whenRedisIsDown() {
        ReplyGuardHandler a = container(env("REDIS_URL", "redis://127.0.0.1:" + RedisProcess.unusedPort()), Clock.systemUTC());
        a.handleRequest(Sqs.event(
                Sqs.record("x1", Sqs.job("m-down", "msg-1", "tu fais quoi ce soir ?"), 1),
                Sqs.record("x2", Sqs.job("m-down", "msg-1", "tu fais quoi ce soir ?"), 1),
                Sqs.record("x3", Sqs.job("m-down", "msg-3", "Tu fais quoi ce soir ??"), 1)), null);

        assertThat(replies("m-down")).as("one reply for the message, its copy and its repeat").hasSize(1);
    }

    @Test
    void shouldRecordAReplySentWithoutTheGuard_whenRedisIsBackBeforeTheBreakerCloses_soThatItsCopyIsNotAnsweredAgain() throws Exception {
        try (RedisProcess restarting = RedisProcess.builder().start()) {
            Map<String, String> vars = env("REDIS_URL", "redis://127.0.0.1:" + restarting.port(), "REDIS_BREAKER_COOLDOWN_MS", "60000",
                    "REPLY_SINK", "webhook", "REPLY_WEBHOOK_URL", receiver.url());
            ReplyGuardHandler a = container(vars, Clock.systemUTC());
            warm(a);
            restarting.kill();
            // Redis is back while the reply is delivered: the invocation ends with the breaker still open,
            // and the client still waiting out its reconnect back-off
            receiver.onRequest(body -> {
                if (body.contains("m-back")) {
                    restarting.restart();
                }
            }, true);
            a.handleRequest(Sqs.event(Sqs.record("b1", Sqs.job("m-back", "msg-1", "salut"), 1)), null);
            receiver.onRequest(null, true);
            assertThat(log.records().getLast().get("outcome").asText()).isEqualTo("GUARD_BYPASSED");

            // the queue's own duplicate of the record (a bridge that enqueued twice), on another container
            ReplyGuardHandler b = container(vars, Clock.systemUTC());
            b.handleRequest(Sqs.event(Sqs.record("b2", Sqs.job("m-back", "msg-1", "salut"), 1)), null);

            assertThat(log.records().getLast().get("outcome").asText()).isEqualTo("SKIPPED_ALREADY_ANSWERED");
            assertThat(answered("m-back")).containsExactly(Map.entry("msg-1", 1));
        }
    }

    @Test
    void shouldAnswerCopiesOnce_whenTheyArriveWhileTheRedisThatServedTheirContainerIsBrieflyAway() throws Exception {
        try (FaultyProxy proxy = new FaultyProxy(redis.port())) {
            ReplyGuardHandler a = container(env(), Clock.systemUTC());
            // B's stdout, where its Redis client logs the breaker opening, is slow (a busy log pipe): the copies whose
            // commands fail while the first failure is being logged must wait for Redis like it
            ReplyGuardHandler b = withSlowStdout(() -> container(env("REDIS_URL", "redis://127.0.0.1:" + proxy.port(),
                    "REDIS_BREAKER_COOLDOWN_MS", "60000"), Clock.systemUTC()));
            warm(b);
            for (int round = 0; round < 5; round++) {
                // five messages of five matches, answered by A
                List<SQSEvent.SQSMessage> copies = new ArrayList<>();
                for (int m = 0; m < 5; m++) {
                    String match = "m-away-" + round + "-" + m;
                    a.handleRequest(Sqs.event(Sqs.record("g1-" + match, Sqs.job(match, "msg-1", "salut"), 1)), null);
                    copies.add(Sqs.record("g2-" + match, Sqs.job(match, "msg-1", "salut"), 1));
                }
                // Redis goes away from B (a restart, a failover): its connection is cut, new ones are refused
                proxy.refuseConnections(true);
                proxy.cutConnections();
                // the bridge's copies reach B meanwhile, in one batch: first receives, their matches' admits run at once
                int before = log.records().size();
                Future<SQSBatchResponse> batch = threads.submit(() -> b.handleRequest(Sqs.event(
                        copies.toArray(SQSEvent.SQSMessage[]::new)), null));
                assertThat(proxy.awaitRefused(3, 5_000)).as("B tried to reach Redis while it was away").isTrue();
                proxy.refuseConnections(false); // back within the retry timeout

                assertThat(batch.get(10, TimeUnit.SECONDS).getBatchItemFailures()).isEmpty();
                assertThat(log.records().subList(before, log.records().size())).as("round " + round + ": every copy waited for"
                        + " Redis instead of failing open").extracting(r -> r.get("outcome").asText())
                        .containsOnly("SKIPPED_ALREADY_ANSWERED").hasSize(5);
            }
        }
    }

    @Test
    void shouldAnswerACopyOnce_whenRedisWentAwayUnderACommandInFlight() throws Exception {
        try (FaultyProxy proxy = new FaultyProxy(redis.port())) {
            ReplyGuardHandler a = container(env(), Clock.systemUTC());
            // a long command timeout: the command in flight fails because its connection is cut, not by timing out
            ReplyGuardHandler b = container(env("REDIS_URL", "redis://127.0.0.1:" + proxy.port(), "REDIS_TIMEOUT_MS", "5000",
                    "REDIS_BREAKER_COOLDOWN_MS", "60000", "REPLY_SINK", "webhook", "REPLY_WEBHOOK_URL", receiver.url()),
                    Clock.systemUTC());
            warm(b);
            a.handleRequest(Sqs.event(Sqs.record("f1", Sqs.job("m-flight", "msg-1", "salut"), 1)), null);

            // B answers another match: admit, commit, deliver, then the confirmation, sent without waiting, which is held
            // on its way to Redis
            proxy.holdRequest(3);
            Future<SQSBatchResponse> other = threads.submit(() -> b.handleRequest(Sqs.event(
                    Sqs.record("f2", Sqs.job("m-other", "msg-1", "tu fais quoi ?"), 1)), null));
            assertThat(proxy.awaitHeld(10_000)).as("the confirmation is on its way").isTrue();
            // then Redis goes away: the connection is cut under the confirmation, new ones are refused
            proxy.refuseConnections(true);
            proxy.cutConnections();
            assertThat(other.get(10, TimeUnit.SECONDS).getBatchItemFailures()).isEmpty();

            // the bridge's copy of m-flight's message reaches B meanwhile
            Future<SQSBatchResponse> copy = threads.submit(() -> b.handleRequest(Sqs.event(
                    Sqs.record("f3", Sqs.job("m-flight", "msg-1", "salut"), 1)), null));
            assertThat(proxy.awaitRefused(3, 5_000)).as("B tried to reach Redis while it was away").isTrue();
            proxy.refuseConnections(false);
            proxy.releaseHeld();

            assertThat(copy.get(10, TimeUnit.SECONDS).getBatchItemFailures()).isEmpty();
            assertThat(log.records().getLast().get("outcome").asText()).as("the copy waited for Redis instead of failing open")
                    .isEqualTo("SKIPPED_ALREADY_ANSWERED");
            assertThat(answered("m-flight")).containsExactly(Map.entry("msg-1", 1));
        }
    }

    @Test
    void shouldRecordAReplySentWithoutTheGuard_atTheContainersNextInvocation_whenRedisWasStillDownAtTheEndOfItsOwn() throws Exception {
        try (RedisProcess restarting = RedisProcess.builder().start()) {
            Map<String, String> vars = env("REDIS_URL", "redis://127.0.0.1:" + restarting.port(), "REDIS_RETRY_TIMEOUT_MS", "500",
                    "REPLY_SINK", "webhook", "REPLY_WEBHOOK_URL", receiver.url());
            ReplyGuardHandler a = container(vars, Clock.systemUTC());
            warm(a);
            restarting.kill();
            long started = System.nanoTime();
            a.handleRequest(Sqs.event(Sqs.record("d1", Sqs.job("m-later", "msg-1", "salut"), 1)), null);
            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            assertThat(log.records().getLast().get("outcome").asText()).isEqualTo("GUARD_BYPASSED");
            assertThat(tookMillis).as("a refused Redis is waited for the retry timeout (500 ms), not more").isLessThan(1_500);

            restarting.restart();
            awaitGuarded(a);
            ReplyGuardHandler b = container(vars, Clock.systemUTC());
            b.handleRequest(Sqs.event(Sqs.record("d2", Sqs.job("m-later", "msg-1", "salut"), 1)), null);

            assertThat(log.records().getLast().get("outcome").asText()).isEqualTo("SKIPPED_ALREADY_ANSWERED");
            assertThat(answered("m-later")).containsExactly(Map.entry("msg-1", 1));
        }
    }

    @Test
    void shouldKeepARedeliveredRecordWaiting_ratherThanAnswerItBlind_whenRedisIsDown_untilItsLastReceives() {
        // a handed-over record coming back, a reply's record whose delivery failed: they may be answered already
        ReplyGuardHandler a = container(env("REDIS_URL", "redis://127.0.0.1:" + RedisProcess.unusedPort(),
                "JOBS_MAX_RECEIVE_COUNT", "5"), Clock.systemUTC());
        SQSBatchResponse second = a.handleRequest(Sqs.event(Sqs.record("w1", Sqs.job("m-blind", "msg-1", "salut"), 2)), null);
        SQSBatchResponse fourth = a.handleRequest(Sqs.event(Sqs.record("w1", Sqs.job("m-blind", "msg-1", "salut"), 4)), null);

        assertThat(Sqs.failedIds(second)).as("kept on the queue").containsExactly("w1");
        assertThat(fourth.getBatchItemFailures()).as("answered before SQS would dead-letter it").isEmpty();
        assertThat(replies("m-blind")).hasSize(1);
    }

    @Test
    void shouldNotDeliverAnUncommittedReply_whenRedisIsLostBetweenAdmitAndCommit_butAnswerTheRetryOnce() throws Exception {
        try (FaultyProxy proxy = new FaultyProxy(redis.port())) {
            ReplyGuardHandler a = container(env("REDIS_URL", "redis://127.0.0.1:" + proxy.port(), "REDIS_RETRY_TIMEOUT_MS", "500",
                    "GENERATOR_DELAY_MS", "300"), Clock.systemUTC());
            warm(a);
            Future<SQSBatchResponse> first = threads.submit(() -> a.handleRequest(Sqs.event(
                    Sqs.record("l1", Sqs.job("m-lost", "msg-1", "salut"), 1)), null));
            awaitKey("rg:{m-lost}:flag"); // admitted: Redis goes silent while the reply is generated
            proxy.swallowAnswers(true);
            SQSBatchResponse failed = first.get(30, TimeUnit.SECONDS);
            proxy.swallowAnswers(false);

            assertThat(Sqs.failedIds(failed)).as("kept on the queue").containsExactly("l1");
            assertThat(replies("m-lost")).as("nothing sent that Redis did not record").isEmpty();
            awaitGuarded(a);
            SQSBatchResponse retry = a.handleRequest(Sqs.event(Sqs.record("l1", Sqs.job("m-lost", "msg-1", "salut"), 2)), null);
            assertThat(retry.getBatchItemFailures()).isEmpty();
            assertThat(answered("m-lost")).as("answered once, on the retry").containsExactly(Map.entry("msg-1", 1));
        }
    }

    @Test
    void shouldDeliverTheReply_whenRedisIsLostBetweenAdmitAndCommit_onTheRecordsLastReceives() throws Exception {
        try (FaultyProxy proxy = new FaultyProxy(redis.port())) {
            ReplyGuardHandler a = container(env("REDIS_URL", "redis://127.0.0.1:" + proxy.port(), "REDIS_RETRY_TIMEOUT_MS", "500",
                    "GENERATOR_DELAY_MS", "300", "JOBS_MAX_RECEIVE_COUNT", "5"), Clock.systemUTC());
            warm(a);
            Future<SQSBatchResponse> last = threads.submit(() -> a.handleRequest(Sqs.event(
                    Sqs.record("n1", Sqs.job("m-near-dlq", "msg-1", "salut"), 4)), null));
            awaitKey("rg:{m-near-dlq}:flag");
            proxy.swallowAnswers(true);
            SQSBatchResponse response = last.get(30, TimeUnit.SECONDS);
            proxy.swallowAnswers(false);

            assertThat(response.getBatchItemFailures()).as("answered before SQS would dead-letter it").isEmpty();
            assertThat(answered("m-near-dlq")).containsExactly(Map.entry("msg-1", 1));
        }
    }

    // ------------------------------------------------------------------ poison, duplicates, stalls

    @Test
    void shouldNotLetAPoisonHandedOverMessageBlockItsMatch() throws Exception {
        WireMockServer llm = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        llm.start();
        try {
            // the model refuses any prompt with this message in it
            llm.stubFor(post(urlEqualTo("/v1/chat/completions")).atPriority(1).withRequestBody(containing("POISON"))
                    .willReturn(aResponse().withStatus(400).withBody("{\"error\":{\"code\":\"context_length_exceeded\"}}")));
            llm.stubFor(post(urlEqualTo("/v1/chat/completions")).atPriority(2).willReturn(aResponse().withStatus(200)
                    .withHeader("Content-Type", "application/json").withFixedDelay(600)
                    .withBody("{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"Avec plaisir !\"}}]}")));
            Map<String, String> openAi = env("GENERATOR", "openai", "OPENAI_BASE_URL", llm.baseUrl() + "/v1",
                    "OPENAI_MODEL", "test-model", "GENERATOR_MAX_ATTEMPTS", "1");
            ReplyGuardHandler holder = container(openAi, Clock.systemUTC());
            ReplyGuardHandler b = container(openAi, Clock.systemUTC());
            warm(b);
            Future<SQSBatchResponse> held = threads.submit(() -> holder.handleRequest(Sqs.event(
                    Sqs.record("z1", Sqs.job("m-poison", "msg-1", "salut"), 1)), null));
            awaitKey("rg:{m-poison}:flag");
            b.handleRequest(Sqs.event(Sqs.record("z2", Sqs.job("m-poison", "msg-p", "POISON " + "x".repeat(50)), 1)), null);
            held.get(20, TimeUnit.SECONDS);

            // the match's next messages, one by one
            List<String> outcomes = new ArrayList<>();
            List<String> next = List.of("tu aimes le ciné ?", "tu as un chat ?", "tu habites où ?", "tu bosses dans quoi ?",
                    "on se voit samedi ?");
            for (int i = 0; i < next.size(); i++) {
                log.reset();
                b.handleRequest(Sqs.event(Sqs.record("z" + (i + 3), Sqs.job("m-poison", "msg-" + (i + 3), next.get(i)), 1)), null);
                outcomes.add(log.outcomes().getFirst());
            }
            assertThat(outcomes).as("later messages of the match are answered again").contains("REPLIED");
            assertThat(outcomes.getLast()).isEqualTo("REPLIED");
        } finally {
            llm.stop();
        }
    }

    @Test
    void shouldNotTakeASecondCopyOfAHandedOverMessage_forARepeatOfItself() throws Exception {
        ReplyGuardHandler holder = container(env("GENERATOR_DELAY_MS", "1000"), Clock.systemUTC());
        ReplyGuardHandler b = container(env(), Clock.systemUTC());
        warm(b);
        Future<SQSBatchResponse> held = threads.submit(() -> holder.handleRequest(Sqs.event(
                Sqs.record("c1", Sqs.job("m-copy", "msg-1", "salut"), 1)), null));
        awaitKey("rg:{m-copy}:flag");
        SQSBatchResponse first = b.handleRequest(Sqs.event(Sqs.record("c2a", Sqs.job("m-copy", "msg-2", "tu parles anglais ?"), 1)), null);
        // the bridge enqueued msg-2 twice: the second copy finds the first in the holder's list
        SQSBatchResponse second = b.handleRequest(Sqs.event(Sqs.record("c2b", Sqs.job("m-copy", "msg-2", "tu parles anglais ?"), 1)), null);
        held.get(20, TimeUnit.SECONDS);

        assertThat(Sqs.failedIds(first)).containsExactly("c2a");
        assertThat(Sqs.failedIds(second)).as("waits for the holder like the first copy; not marked answered as a repeat")
                .containsExactly("c2b");
        assertThat(answered("m-copy")).containsEntry("msg-2", 1);
    }

    @Test
    void shouldKeepACopyOfTheHoldersOwnMessageOnTheQueue_whileTheHolderMayStillFail() throws Exception {
        ReplyGuardHandler holder = container(env("GENERATOR_DELAY_MS", "1000"), Clock.systemUTC());
        ReplyGuardHandler b = container(env(), Clock.systemUTC());
        warm(b);
        Future<SQSBatchResponse> held = threads.submit(() -> holder.handleRequest(Sqs.event(
                Sqs.record("dup", Sqs.job("m-own", "msg-1", "salut"), 1)), null));
        awaitKey("rg:{m-own}:flag");
        // SQS delivers the same message again, to another container
        SQSBatchResponse copy = b.handleRequest(Sqs.event(Sqs.record("dup", Sqs.job("m-own", "msg-1", "salut"), 2)), null);
        held.get(20, TimeUnit.SECONDS);

        assertThat(Sqs.failedIds(copy)).as("not acknowledged: deleting it would delete the holder's message too").containsExactly("dup");
    }

    @Test
    void shouldAnswerAMessageHandedOver_whileTheHolderOfARepeatWasReleasingTheFlag() throws Exception {
        try (FaultyProxy proxy = new FaultyProxy(redis.port())) {
            ReplyGuardHandler a = container(env(), Clock.systemUTC());
            ReplyGuardHandler holder = container(env("REDIS_URL", "redis://127.0.0.1:" + proxy.port(), "REDIS_TIMEOUT_MS", "5000"),
                    Clock.systemUTC());
            warm(holder);
            a.handleRequest(Sqs.event(Sqs.record("t0", Sqs.job("m-strand", "msg-0", "tu fais quoi ce soir ?"), 1)), null);
            // the holder of a repeat is stalled between its admit and its next command
            proxy.holdRequest(2);
            Future<SQSBatchResponse> repeat = threads.submit(() -> holder.handleRequest(Sqs.event(Sqs.record("t1",
                    Sqs.job("m-strand", "msg-1", "Tu fais quoi ce soir ??"), 1)), null));
            assertThat(proxy.awaitHeld(10_000)).isTrue();
            SQSBatchResponse handed = a.handleRequest(Sqs.event(Sqs.record("t2",
                    Sqs.job("m-strand", "msg-2", "tu as un chat ?"), 1)), null);
            proxy.releaseHeld();
            repeat.get(20, TimeUnit.SECONDS);

            assertThat(answered("m-strand").getOrDefault("msg-2", 0) == 1 || Sqs.failedIds(handed).contains("t2"))
                    .as("msg-2 answered, or kept on the queue to be").isTrue();
            assertThat(answered("m-strand")).doesNotContainKey("msg-1");
        }
    }

    @Test
    void shouldIdentifyEveryReply_withAReplyIdSentAsTheIdempotencyKey() throws Exception {
        ReplyGuardHandler a = container(env("REPLY_SINK", "webhook", "REPLY_WEBHOOK_URL", receiver.url()), Clock.systemUTC());
        a.handleRequest(Sqs.event(Sqs.record("i1", Sqs.job("m-id", "msg-1", "salut"), 1)), null);

        assertThat(receiver.accepted()).singleElement().satisfies(reply -> {
            assertThat(reply.hasNonNull("replyId")).isTrue();
            assertThat(receiver.keys()).containsExactly(reply.get("replyId").asText());
        });
    }

    @Test
    void shouldAnswerTheRetryOfACrashedHolder_evenWithAGuardTtlLongerThanTheVisibilityTimeout() throws Exception {
        Map<String, String> deployed = env("GUARD_TTL_SECONDS", "600", "FUNCTION_TIMEOUT_SECONDS", "3",
                "JOBS_VISIBILITY_TIMEOUT_SECONDS", "18");
        Map<String, String> stuck = new HashMap<>(deployed);
        stuck.put("GENERATOR_DELAY_MS", "60000"); // its container is gone: it never finishes
        ReplyGuardHandler crashed = container(stuck, Clock.systemUTC());
        threads.submit(() -> crashed.handleRequest(Sqs.event(Sqs.record("v1", Sqs.job("m-vis", "msg-1", "salut"), 1)),
                new FixedContext("req-crashed", 3000)));
        awaitKey("rg:{m-vis}:flag");
        ReplyGuardHandler next = container(deployed, Clock.systemUTC());

        SQSBatchResponse back = next.handleRequest(Sqs.event(Sqs.record("v1", Sqs.job("m-vis", "msg-1", "salut"), 2)),
                new FixedContext("req-back", 3000));
        assertThat(Sqs.failedIds(back)).as("not acknowledged on the word of a flag whose holder is gone").containsExactly("v1");

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (inspect.exists("rg:{m-vis}:flag") == 1) {
            assertThat(System.nanoTime()).as("the flag's lease ends with its invocation").isLessThan(deadline);
            Thread.sleep(50);
        }
        SQSBatchResponse later = next.handleRequest(Sqs.event(Sqs.record("v1", Sqs.job("m-vis", "msg-1", "salut"), 3)),
                new FixedContext("req-later", 3000));
        assertThat(later.getBatchItemFailures()).isEmpty();
        assertThat(answered("m-vis")).containsEntry("msg-1", 1);
    }

    @Test
    void shouldStopUsingAConnection_thatReachesAReadOnlyReplica() {
        try (RedisProcess replica = RedisProcess.builder().setting("replicaof", "127.0.0.1", Integer.toString(redis.port())).start()) {
            ReplyGuardHandler a = container(env("REDIS_URL", "redis://127.0.0.1:" + replica.port(),
                    "REDIS_BREAKER_COOLDOWN_MS", "60000"), Clock.systemUTC());
            for (int i = 0; i < 10; i++) {
                a.handleRequest(Sqs.event(Sqs.record("ro" + i, Sqs.job("m-ro-" + i, "msg-1", "salut"), 1)), null);
            }
            assertThat(log.outcomes()).hasSize(10).containsOnly("GUARD_BYPASSED");
            assertThat(log.records()).filteredOn(r -> r.path("error").asText().contains("READONLY"))
                    .as("READONLY counts as a failure: one message paid for it, not every message").hasSize(1);
            assertThat(log.records()).filteredOn(r -> r.path("error").asText().contains("breaker"))
                    .as("the others failed fast on the open breaker").hasSize(9);
        }
    }

    @Test
    void shouldPayTheOneFailedConnectionAtInit_notOnTheFirstMessage_whenRedisRefusesAtColdStart() {
        // on Lambda without SnapStart the init phase primes the Redis client, connecting once
        ReplyGuardHandler a = container(env("REDIS_URL", "redis://127.0.0.1:" + RedisProcess.unusedPort(),
                "AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand", "REDIS_BREAKER_COOLDOWN_MS", "60000"), Clock.systemUTC());
        a.handleRequest(Sqs.event(Sqs.record("i1", Sqs.job("m-init", "msg-1", "salut"), 1)), null);

        JsonNode first = log.records().getFirst();
        assertThat(first.get("outcome").asText()).isEqualTo("GUARD_BYPASSED");
        assertThat(first.get("error").asText()).as("the first message fails fast: init already found Redis down").contains("breaker");
        assertThat(first.get("guardMs").asDouble()).isLessThan(50);
    }

    // ------------------------------------------------------------------ helpers

    private Map<String, String> env(String... overrides) {
        Map<String, String> redisVars = new HashMap<>();
        redisVars.put("REDIS_URL", "redis://127.0.0.1:" + redis.port());
        redisVars.put("REDIS_TIMEOUT_MS", "500");
        return Containers.env(redisVars, overrides);
    }

    private ReplyGuardHandler container(Map<String, String> env, Clock clock) {
        ReplyGuardHandler handler = Containers.start(env, clock, log, replies);
        handlers.add(handler);
        return handler;
    }

    /** Something made while {@code System.out} takes each write 200 ms, as a busy log pipe would. */
    private static <T> T withSlowStdout(java.util.function.Supplier<T> make) {
        java.io.PrintStream stdout = System.out;
        System.setOut(new java.io.PrintStream(new java.io.OutputStream() {
            @Override
            public void write(int b) {
                // dropped
            }

            @Override
            public void write(byte[] bytes, int off, int len) {
                Pacing.pause(200);
            }
        }, true));
        try {
            return make.get();
        } finally {
            System.setOut(stdout);
        }
    }

    /** One message on a match of its own: the container's connection and scripts are ready. */
    private void warm(ReplyGuardHandler handler) {
        handler.handleRequest(Sqs.event(Sqs.record("warm-" + System.nanoTime(),
                Sqs.job("m-warm-" + System.nanoTime(), "msg-w", "hello"), 1)), null);
    }

    /** Waits (bounded) until the container guards again after a cut connection: a new message is REPLIED. */
    private void awaitGuarded(ReplyGuardHandler handler) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (int i = 0; ; i++) {
            int before = log.records().size();
            handler.handleRequest(Sqs.event(Sqs.record("probe-" + i + "-" + System.nanoTime(),
                    Sqs.job("m-probe-" + System.nanoTime(), "msg-p", "hello"), 1)), null);
            if (log.records().get(before).get("outcome").asText().equals("REPLIED")) {
                return;
            }
            assertThat(System.nanoTime()).as("guarded again within 30 s").isLessThan(deadline);
            Thread.sleep(100); // messages keep arriving while the client reconnects
        }
    }

    /** Replies delivered for the match, by the stdout sink or to the webhook. */
    private List<JsonNode> replies(String matchId) {
        List<JsonNode> all = new ArrayList<>(replies.jsonLines());
        all.addAll(receiver.accepted());
        return all.stream().filter(r -> r.has("inReplyTo") && matchId.equals(r.path("matchId").asText())).toList();
    }

    /** How many distinct replies (by replyId when there is one) answered each message of the match. */
    private Map<String, Integer> answered(String matchId) {
        Map<String, Integer> times = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (JsonNode reply : replies(matchId)) {
            if (reply.hasNonNull("replyId") && !seen.add(reply.get("replyId").asText())) {
                continue; // a re-send of a reply the receiver already has
            }
            reply.get("inReplyTo").forEach(id -> times.merge(id.asText(), 1, Integer::sum));
        }
        return times;
    }

    private static void awaitKey(String key) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (inspect.exists(key) == 0) {
            assertThat(System.nanoTime()).as(key + " appeared").isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    private static Path writeEvent(SQSEvent.SQSMessage record) throws Exception {
        Path file = Files.createTempFile("event", ".json");
        file.toFile().deleteOnExit();
        Files.writeString(file, Sqs.eventJson(List.of(record)));
        return file;
    }

    /** A container in a JVM of its own, running one invocation, so that it can be killed with SIGKILL. */
    private static Process startProcess(Map<String, String> env, Path event) throws Exception {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classpath, SingleInvocation.class.getName(), event.toString())
                .redirectErrorStream(true).redirectOutput(File.createTempFile("container", ".log"));
        builder.environment().putAll(env);
        return builder.start();
    }

    /** The webhook receiver: real HTTP; it keeps what it accepted and the Idempotency-Key of each request. */
    private static final class Receiver implements AutoCloseable {
        private final HttpServer server;
        private final List<JsonNode> accepted = Collections.synchronizedList(new ArrayList<>());
        private final List<String> keys = Collections.synchronizedList(new ArrayList<>());
        private volatile int failNext;
        private volatile long delayMs;
        private volatile Consumer<String> onRequest;
        private volatile boolean acceptWhenHooked = true;
        private volatile long lastAcceptedAt;
        private final long createdAt = System.nanoTime();

        Receiver() throws Exception {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/replies", exchange -> {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                keys.add(exchange.getRequestHeaders().getFirst("Idempotency-Key"));
                Consumer<String> hook = onRequest;
                if (hook != null) {
                    hook.accept(body);
                    if (!acceptWhenHooked) {
                        exchange.close();
                        return;
                    }
                }
                if (delayMs > 0) {
                    try {
                        Thread.sleep(delayMs);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                if (failNext > 0) {
                    failNext--;
                    exchange.sendResponseHeaders(503, -1);
                } else {
                    accepted.add(JSON.readTree(body));
                    lastAcceptedAt = System.nanoTime();
                    exchange.sendResponseHeaders(200, -1);
                }
                exchange.close();
            });
            server.setExecutor(Executors.newCachedThreadPool());
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/replies";
        }

        void failNext(int n) {
            failNext = n;
        }

        void delayAnswers(long millis) {
            delayMs = millis;
        }

        /** Runs {@code hook} on each request; unless {@code accept}, the request is dropped unanswered. */
        void onRequest(Consumer<String> hook, boolean accept) {
            onRequest = hook;
            acceptWhenHooked = accept;
        }

        List<JsonNode> accepted() {
            return List.copyOf(accepted);
        }

        List<String> keys() {
            return List.copyOf(keys);
        }

        long lastAcceptedAtMs() {
            return (lastAcceptedAt - createdAt) / 1_000_000;
        }

        long startedAtMs(long startNanos) {
            return (startNanos - createdAt) / 1_000_000;
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
