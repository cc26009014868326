package com.replyguard.sink;

import com.replyguard.core.Reply;
import com.replyguard.core.ReplySink;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * POSTs each reply's JSON to {@code REPLY_WEBHOOK_URL}. Only a 2xx answer within the timeout counts
 * as delivered; anything else fails the job so SQS retries it.
 */
public final class WebhookSink implements ReplySink {

    private final HttpClient http;
    private final URI url;
    private final Duration timeout;

    public WebhookSink(URI url, Duration timeout) {
        this.url = url;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    @Override
    public void deliver(Reply reply) throws DeliveryException {
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(ReplyJson.write(reply)))
                .build();
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
