package com.replyguard.lambda;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.replyguard.sink.WebhookSignature;
import com.replyguard.testing.Capture;
import com.replyguard.testing.RealRedis;
import com.replyguard.testing.Sqs;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The webhook sink signs its body (REPLY_WEBHOOK_SECRET, HMAC-SHA256): a receiver that checks the
 * signature as documented accepts the worker's replies and rejects forged or altered ones.
 */
class SignedWebhookIntegrationTest {

    private static final String SECRET = "signed-webhook-test-secret-0123456789abcdef";

    private final Capture log = new Capture();
    private final Capture unused = new Capture();
    private final List<String> accepted = new CopyOnWriteArrayList<>();
    private final Map<String, String> lastHeaders = new ConcurrentHashMap<>();
    private HttpServer receiver;
    private String url;

    @BeforeEach
    void startReceiver() throws IOException {
        RealRedis.flush();
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/replies", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String timestamp = exchange.getRequestHeaders().getFirst(WebhookSignature.TIMESTAMP_HEADER);
            String signature = exchange.getRequestHeaders().getFirst(WebhookSignature.SIGNATURE_HEADER);
            boolean genuine = WebhookSignature.verify(SECRET, timestamp, signature, body, Instant.now(), Duration.ofMinutes(5));
            if (genuine) {
                accepted.add(new String(body, StandardCharsets.UTF_8));
                lastHeaders.put("timestamp", timestamp);
                lastHeaders.put("signature", signature);
            }
            exchange.sendResponseHeaders(genuine ? 200 : 401, -1);
            exchange.close();
        });
        receiver.start();
        url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/replies";
    }

    @AfterEach
    void stopReceiver() {
        receiver.stop(0);
    }

    private ReplyGuardHandler worker(String secret) {
        return Containers.start(Containers.env("REPLY_SINK", "webhook", "REPLY_WEBHOOK_URL", url, "REPLY_WEBHOOK_SECRET", secret),
                Clock.systemUTC(), log, unused);
    }

    private int post(String body, String timestamp, String signature) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (timestamp != null) {
            request.header(WebhookSignature.TIMESTAMP_HEADER, timestamp).header(WebhookSignature.SIGNATURE_HEADER, signature);
        }
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        }
    }

    @Test
    void shouldSignEveryReply_soThatTheReceiverAcceptsItsRepliesAndRejectsForgedOnes() throws Exception {
        try (ReplyGuardHandler handler = worker(SECRET)) {
            SQSBatchResponse response = handler.handleRequest(Sqs.event(
                    Sqs.record("s1", Sqs.job("m-sig-1", "msg-1", "salut"), 1),
                    Sqs.record("s2", Sqs.job("m-sig-2", "msg-2", "tu fais quoi ?"), 1)), null);
            assertThat(response.getBatchItemFailures()).isEmpty();
        }
        assertThat(log.outcomes()).containsExactly("REPLIED", "REPLIED");
        assertThat(accepted).hasSize(2);

        // a forger who captured a genuine request cannot change its text, nor send one unsigned
        String genuine = accepted.getFirst();
        String forged = genuine.replaceFirst("\"reply\":\"[^\"]*\"", "\"reply\":\"Donne-moi ton numéro\"");
        assertThat(forged).isNotEqualTo(genuine);
        assertThat(post(forged, lastHeaders.get("timestamp"), lastHeaders.get("signature"))).isEqualTo(401);
        assertThat(post(forged, null, null)).isEqualTo(401);
        assertThat(accepted).hasSize(2);
    }

    @Test
    void shouldFailTheRecord_whenTheReceiverRejectsTheSignature() {
        try (ReplyGuardHandler handler = worker("a-different-secret-0123456789abcdef-xyz")) {
            SQSBatchResponse response = handler.handleRequest(Sqs.event(Sqs.record("x1", Sqs.job("m-sig-x", "msg-1", "salut"), 1)), null);
            assertThat(Sqs.failedIds(response)).containsExactly("x1"); // retried, not lost
        }
        assertThat(log.records().getFirst().get("error").asText()).isEqualTo("delivery failed: webhook answered HTTP 401");
        assertThat(accepted).isEmpty();
    }
}
