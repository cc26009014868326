package com.replyguard.sink;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

/**
 * The webhook's signature, so that a receiver can reject forged or replayed replies.
 *
 * <p>With {@code REPLY_WEBHOOK_SECRET} set, every POST carries two headers:
 * <pre>
 * X-Reply-Guard-Timestamp: 1795986000                 (Unix seconds when the request was signed)
 * X-Reply-Guard-Signature: v1=&lt;hex HMAC-SHA256(secret, timestamp + "." + body)&gt;
 * </pre>
 * where the key is the secret's UTF-8 bytes and the body is the exact bytes of the request body.
 * A receiver recomputes the HMAC over the raw body it received, compares it in constant time, and
 * rejects a timestamp older than a few minutes (a captured request cannot be replayed later);
 * {@link #verify} does all three.
 */
public final class WebhookSignature {

    public static final String TIMESTAMP_HEADER = "X-Reply-Guard-Timestamp";
    public static final String SIGNATURE_HEADER = "X-Reply-Guard-Signature";
    private static final String VERSION = "v1=";

    private WebhookSignature() {
    }

    /** The {@value #SIGNATURE_HEADER} value for this body signed at {@code timestamp} (Unix seconds). */
    public static String sign(String secret, long timestamp, byte[] body) {
        return VERSION + HexFormat.of().formatHex(hmac(secret, timestamp, body));
    }

    /**
     * A receiver's check: the signature matches this secret, timestamp and raw body, and the
     * timestamp is within {@code tolerance} of {@code now}.
     */
    public static boolean verify(String secret, String timestampHeader, String signatureHeader, byte[] body,
                                 Instant now, Duration tolerance) {
        if (secret == null || timestampHeader == null || signatureHeader == null || !signatureHeader.startsWith(VERSION)) {
            return false;
        }
        long timestamp;
        byte[] given;
        try {
            timestamp = Long.parseLong(timestampHeader.strip());
            given = HexFormat.of().parseHex(signatureHeader.substring(VERSION.length()).strip());
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (Math.abs(now.getEpochSecond() - timestamp) > tolerance.toSeconds()) {
            return false;
        }
        return MessageDigest.isEqual(hmac(secret, timestamp, body), given);
    }

    private static byte[] hmac(String secret, long timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(StandardCharsets.US_ASCII));
            return mac.doFinal(body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
