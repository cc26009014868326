package com.replyguard.config;

import java.net.URI;
import java.time.Duration;

/**
 * Where replies are delivered.
 *
 * @param webhookUrl     the webhook sink's URL ({@code REPLY_WEBHOOK_URL}), null for other sinks
 * @param webhookTimeout the webhook request timeout; a slower answer fails the record
 * @param queueUrl       the sqs sink's queue ({@code REPLY_QUEUE_URL}), null for other sinks; a URL
 *                       ending in {@code .fifo} gets {@code MessageGroupId} = matchId
 * @param queueTimeout   one SendMessage attempt's time limit ({@code REPLY_QUEUE_TIMEOUT_MS})
 * @param webhookSecret  HMAC-SHA256 key signing each webhook request ({@code REPLY_WEBHOOK_SECRET}), or null; never logged
 */
public record SinkSettings(Kind kind, URI webhookUrl, Duration webhookTimeout, URI queueUrl, Duration queueTimeout,
                           String webhookSecret) {

    /** SendMessage attempts, retries included: SQS answers in milliseconds. */
    public static final int SQS_MAX_ATTEMPTS = 3;

    /** A signing key shorter than this is refused: HMAC-SHA256 wants 256 bits of randomness. */
    static final int MIN_SECRET_CHARS = 32;

    public enum Kind { STDOUT, WEBHOOK, SQS }

    static SinkSettings from(Environment env) {
        Kind kind = env.choice("REPLY_SINK", Kind.class, Kind.STDOUT);
        URI webhookUrl = kind == Kind.WEBHOOK ? env.httpUrl("REPLY_WEBHOOK_URL", "with REPLY_SINK=webhook") : null;
        URI queueUrl = kind == Kind.SQS ? env.httpUrl("REPLY_QUEUE_URL", "with REPLY_SINK=sqs") : null;
        return new SinkSettings(kind, webhookUrl, env.millis("REPLY_WEBHOOK_TIMEOUT_MS", 5_000, 100, 120_000),
                queueUrl, env.millis("REPLY_QUEUE_TIMEOUT_MS", 5_000, 100, 60_000),
                kind == Kind.WEBHOOK ? webhookSecret(env) : null);
    }

    /**
     * The longest one delivery takes, the sink's own timeouts and retries included: kept back in the
     * invocation once a reply is committed, and after which a committed reply never confirmed is
     * taken as never delivered.
     */
    public java.time.Duration worstDelivery() {
        return switch (kind) {
            case STDOUT -> java.time.Duration.ZERO;
            case WEBHOOK -> webhookTimeout;
            case SQS -> queueTimeout.multipliedBy(SQS_MAX_ATTEMPTS);
        };
    }

    private static String webhookSecret(Environment env) {
        String secret = env.text("REPLY_WEBHOOK_SECRET");
        if (secret != null && secret.length() < MIN_SECRET_CHARS) {
            // the length only, never the value
            throw new ConfigException("REPLY_WEBHOOK_SECRET must be at least " + MIN_SECRET_CHARS
                    + " characters (e.g. openssl rand -hex 32), got " + secret.length());
        }
        return secret;
    }

    @Override
    public String toString() {
        // the webhook URL may carry a token in its query: show the host only
        return "sink=" + kind
                + (webhookUrl == null ? "" : " (" + webhookUrl.getHost() + (webhookSecret == null ? ", unsigned" : ", signed") + ")")
                + (queueUrl == null ? "" : " (" + queueUrl.getPath() + ")");
    }
}
