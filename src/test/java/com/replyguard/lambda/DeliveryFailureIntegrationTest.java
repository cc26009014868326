package com.replyguard.lambda;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.replyguard.testing.Capture;
import com.replyguard.testing.MutableClock;
import com.replyguard.testing.RealRedis;
import com.replyguard.testing.Sqs;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A webhook that fails, over real HTTP: the record is retried (I3). The reply stays committed (the
 * outbox): once the delivery timeout has passed, the retry sends that same reply, same
 * {@code replyId} and {@code Idempotency-Key} — never a newly generated one (I11).
 */
class DeliveryFailureIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Capture log = new Capture();
    private final Capture unused = new Capture();
    private final ConcurrentLinkedQueue<JsonNode> accepted = new ConcurrentLinkedQueue<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final CountDownLatch releaseSlowAnswers = new CountDownLatch(1);
    private volatile int failFirst;
    private volatile boolean hang;
    private final ConcurrentLinkedQueue<String> keys = new ConcurrentLinkedQueue<>();
    private final MutableClock clock = MutableClock.startingNow();
    private HttpServer server;

    @BeforeEach
    void startWebhook() throws IOException {
        RealRedis.flush();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/replies", exchange -> {
            int n = requests.incrementAndGet();
            byte[] body = exchange.getRequestBody().readAllBytes();
            keys.add(String.valueOf(exchange.getRequestHeaders().getFirst("Idempotency-Key")));
            if (hang) {
                try {
                    releaseSlowAnswers.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            boolean refused = n <= failFirst || new String(body, java.nio.charset.StandardCharsets.UTF_8).contains("m-refused");
            int status = refused ? 503 : 200;
            if (status == 200) {
                assertThat(exchange.getRequestHeaders().getFirst("Content-Type")).isEqualTo("application/json");
                accepted.add(JSON.readTree(body));
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
    }

    @AfterEach
    void stopWebhook() {
        releaseSlowAnswers.countDown();
        server.stop(0);
    }

    private ReplyGuardHandler container(String timeoutMs) {
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/replies";
        return Containers.start(Containers.env("REPLY_SINK", "webhook", "REPLY_WEBHOOK_URL", url,
                "REPLY_WEBHOOK_TIMEOUT_MS", timeoutMs), clock, log, unused);
    }

    @Test
    void shouldReportFailure_whenWebhookAnswers5xx_andResendTheSameReplyOnTheRetry() {
        failFirst = 1;
        String body = Sqs.job("m-hook", "msg-1", "tu fais quoi ce soir ?");
        try (ReplyGuardHandler handler = container("2000")) {
            SQSBatchResponse first = handler.handleRequest(Sqs.event(Sqs.record("h1", body, 1)), null);
            assertThat(Sqs.failedIds(first)).containsExactly("h1");
            // back at once: its reply is committed and may still be on its way, so it waits
            SQSBatchResponse soon = handler.handleRequest(Sqs.event(Sqs.record("h1", body, 2)), null);
            assertThat(Sqs.failedIds(soon)).containsExactly("h1");
            clock.advance(Duration.ofSeconds(4)); // past the webhook's delivery timeout (2 s + 1 s)
            SQSBatchResponse retry = handler.handleRequest(Sqs.event(Sqs.record("h1", body, 3)), null);
            assertThat(retry.getBatchItemFailures()).isEmpty();
        }
        assertThat(log.outcomes()).containsExactly("FAILED", "SKIPPED_IN_PROGRESS", "REPLIED");
        assertThat(log.records().getFirst().get("error").asText()).contains("HTTP 503");
        assertThat(log.records().getFirst().get("retryAfterMs").asLong()).isEqualTo(4_000);
        assertThat(requests.get()).isEqualTo(2);
        assertThat(accepted).hasSize(1);
        JsonNode reply = accepted.peek();
        assertThat(reply.get("matchId").asText()).isEqualTo("m-hook");
        assertThat(reply.get("inReplyTo").get(0).asText()).isEqualTo("msg-1");
        assertThat(reply.get("reply").asText()).isNotBlank();
        assertThat(reply.get("generatedAt").asText()).endsWith("Z");
        assertThat(List.copyOf(keys)).as("both attempts carry the reply's id").containsExactly(
                reply.get("replyId").asText(), reply.get("replyId").asText());
    }

    @Test
    void shouldReportFailure_whenWebhookTimesOut_clearTheFlag_andKeepTheReplyCommittedForTheRetry() {
        hang = true;
        String body = Sqs.job("m-slow", "msg-1", "salut");
        try (ReplyGuardHandler handler = container("300")) {
            SQSBatchResponse first = handler.handleRequest(Sqs.event(Sqs.record("s1", body, 1)), null);
            assertThat(Sqs.failedIds(first)).containsExactly("s1");
        }
        assertThat(log.outcomes()).containsExactly("FAILED");
        assertThat(log.records().getFirst().get("error").asText()).contains("timed out");
        assertThat(RealRedis.inspect().exists("rg:{m-slow}:flag")).isZero();
        String replyId = RealRedis.inspect().get("rg:{m-slow}:answered:msg-1");
        assertThat(RealRedis.inspect().hexists("rg:{m-slow}:outbox", replyId)).as("committed, not confirmed").isTrue();
    }

    @Test
    void shouldFailOnlyTheUndeliveredRecord_whenOneOfTheBatchFails() {
        try (ReplyGuardHandler handler = container("2000")) {
            SQSBatchResponse response = handler.handleRequest(Sqs.event(
                    Sqs.record("a1", Sqs.job("m-refused", "msg-a", "salut"), 1),
                    Sqs.record("a2", Sqs.job("m-accepted", "msg-b", "tu fais quoi ce soir ?"), 1)), null);
            assertThat(Sqs.failedIds(response)).containsExactly("a1");
        }
        assertThat(log.outcomes()).containsExactlyInAnyOrder("FAILED", "REPLIED");
        assertThat(List.copyOf(accepted)).singleElement()
                .satisfies(r -> assertThat(r.get("matchId").asText()).isEqualTo("m-accepted"));
    }

    @Test
    void shouldFailEveryRecordTheReplyCovered_andResendItToThemAll_whenACoalescedReplyIsRefused() {
        failFirst = 1;
        SQSBatchResponse first;
        try (ReplyGuardHandler handler = container("2000")) {
            first = handler.handleRequest(Sqs.event(
                    Sqs.record("r1", Sqs.job("m-burst", "msg-1", "salut"), 1),
                    Sqs.record("r2", Sqs.job("m-burst", "msg-2", "tu fais quoi ce soir ?"), 1)), null);
            assertThat(Sqs.failedIds(first)).containsExactly("r1", "r2");
            assertThat(RealRedis.inspect().hlen("rg:{m-burst}:outbox")).as("the reply stays committed").isEqualTo(1);
            clock.advance(Duration.ofSeconds(4));
            SQSBatchResponse retry = handler.handleRequest(Sqs.event(
                    Sqs.record("r1", Sqs.job("m-burst", "msg-1", "salut"), 2),
                    Sqs.record("r2", Sqs.job("m-burst", "msg-2", "tu fais quoi ce soir ?"), 2)), null);
            assertThat(retry.getBatchItemFailures()).isEmpty();
        }
        assertThat(log.outcomes()).containsExactly("FAILED", "FAILED", "REPLIED", "REPLIED");
        assertThat(List.copyOf(accepted)).singleElement().satisfies(r -> assertThat(r.get("inReplyTo"))
                .extracting(JsonNode::asText).containsExactly("msg-1", "msg-2"));
        assertThat(RealRedis.inspect().hlen("rg:{m-burst}:outbox")).as("confirmed").isZero();
    }
}
