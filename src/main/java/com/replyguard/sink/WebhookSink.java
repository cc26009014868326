package com.replyguard.sink;

import com.replyguard.core.Reply;
import com.replyguard.core.ReplySink;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;

/**
 * POSTs each reply's JSON to {@code REPLY_WEBHOOK_URL}, with its {@code replyId} as the
 * {@code Idempotency-Key} header: a reply re-sent after a failure or a crash carries the same key,
 * so the receiver answers it again without showing it twice. Only a 2xx answer within the timeout
 * counts as delivered; anything else fails the job so SQS retries it. With a secret
 * ({@code REPLY_WEBHOOK_SECRET}) each request is signed, see {@link WebhookSignature}. Error messages
 * name neither the URL (it may carry a token) nor the secret.
 */
public final class WebhookSink implements ReplySink {

    /** The reply's {@code replyId}, as the header receivers deduplicate on. */
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    private final HttpClient http;
    private final URI url;
    private final Duration timeout;
    private final String secret;
    private final Clock clock;

    public WebhookSink(URI url, Duration timeout) {
        this(url, timeout, null, Clock.systemUTC());
    }

    /** @param secret the HMAC key of the signature headers, or null to send unsigned requests */
    public WebhookSink(URI url, Duration timeout, String secret) {
        this(url, timeout, secret, Clock.systemUTC());
    }

    WebhookSink(URI url, Duration timeout, String secret, Clock clock) {
        this.url = url;
        this.timeout = timeout;
        this.secret = secret;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    @Override
    public void deliver(Reply reply) throws DeliveryException {
        byte[] body = ReplyJson.write(reply).getBytes(StandardCharsets.UTF_8);
        HttpRequest.Builder builder = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                // the same on every re-send of this reply: a receiver drops a key it has seen
                .header(IDEMPOTENCY_KEY, reply.replyId());
        if (secret != null) {
            long timestamp = clock.instant().getEpochSecond();
            builder.header(WebhookSignature.TIMESTAMP_HEADER, Long.toString(timestamp))
                    .header(WebhookSignature.SIGNATURE_HEADER, WebhookSignature.sign(secret, timestamp, body));
        }
        HttpRequest request = builder.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        try {
            HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 != 2) {
                throw new DeliveryException("webhook answered HTTP " + response.statusCode());
            }
        } catch (HttpTimeoutException e) {
            throw new DeliveryException("webhook timed out after " + timeout.toMillis() + " ms", e);
        } catch (IOException e) {
            throw new DeliveryException("webhook unreachable: " + e.getClass().getSimpleName(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeliveryException("interrupted while delivering", e);
        }
    }
}
