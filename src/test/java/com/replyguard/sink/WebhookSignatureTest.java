package com.replyguard.sink;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class WebhookSignatureTest {

    private static final String SECRET = "whsec-test-0123456789abcdef0123456789abcdef";
    private static final long TIMESTAMP = 1_795_986_000L;
    private static final byte[] BODY = ("{\"matchId\":\"match-42\",\"inReplyTo\":[\"msg-1001\"],\"reply\":\"Je bosse en marketing\","
            + "\"generatedAt\":\"2026-11-29T14:27:12Z\"}").getBytes(StandardCharsets.UTF_8);
    private static final Instant NOW = Instant.ofEpochSecond(TIMESTAMP + 30);
    private static final Duration TOLERANCE = Duration.ofMinutes(5);

    @Test
    void shouldMatchAnIndependentImplementation() {
        // computed with Python: hmac.new(secret, b"1795986000." + body, hashlib.sha256).hexdigest()
        assertThat(WebhookSignature.sign(SECRET, TIMESTAMP, BODY))
                .isEqualTo("v1=5dce6486e825b5e21247708addd04341d2566da34b62cbf66c7d0df327f19b1f");
    }

    @Test
    void shouldAcceptTheGenuineRequest() {
        String signature = WebhookSignature.sign(SECRET, TIMESTAMP, BODY);
        assertThat(WebhookSignature.verify(SECRET, Long.toString(TIMESTAMP), signature, BODY, NOW, TOLERANCE)).isTrue();
    }

    @Test
    void shouldRejectAForgedBody_aWrongSecret_anOldTimestamp_andMalformedHeaders() {
        String signature = WebhookSignature.sign(SECRET, TIMESTAMP, BODY);
        byte[] forged = new String(BODY, StandardCharsets.UTF_8).replace("marketing", "finance").getBytes(StandardCharsets.UTF_8);
        String ts = Long.toString(TIMESTAMP);
        assertThat(WebhookSignature.verify(SECRET, ts, signature, forged, NOW, TOLERANCE)).as("body changed").isFalse();
        assertThat(WebhookSignature.verify(SECRET + "x", ts, signature, BODY, NOW, TOLERANCE)).as("other secret").isFalse();
        assertThat(WebhookSignature.verify(SECRET, Long.toString(TIMESTAMP + 1), signature, BODY, NOW, TOLERANCE))
                .as("timestamp changed").isFalse();
        assertThat(WebhookSignature.verify(SECRET, ts, signature, BODY, NOW.plus(Duration.ofMinutes(6)), TOLERANCE))
                .as("replayed 6 minutes later").isFalse();
        assertThat(WebhookSignature.verify(SECRET, ts, null, BODY, NOW, TOLERANCE)).isFalse();
        assertThat(WebhookSignature.verify(SECRET, ts, "v1=zz", BODY, NOW, TOLERANCE)).isFalse();
        assertThat(WebhookSignature.verify(SECRET, ts, "v0=" + signature.substring(3), BODY, NOW, TOLERANCE)).isFalse();
        assertThat(WebhookSignature.verify(SECRET, "yesterday", signature, BODY, NOW, TOLERANCE)).isFalse();
    }
}
