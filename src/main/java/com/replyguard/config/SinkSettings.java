package com.replyguard.config;

import java.net.URI;
import java.time.Duration;

/**
 * Where replies are delivered.
 *
 * @param webhookUrl     the webhook sink's URL ({@code REPLY_WEBHOOK_URL}), null for other sinks
 * @param webhookTimeout the webhook request timeout; a slower answer fails the record
 */
public record SinkSettings(Kind kind, URI webhookUrl, Duration webhookTimeout) {

    public enum Kind { STDOUT, WEBHOOK, SQS }

    static SinkSettings from(Environment env) {
        Kind kind = env.choice("REPLY_SINK", Kind.class, Kind.STDOUT);
        if (kind == Kind.SQS) {
            throw new ConfigException("REPLY_SINK=sqs is not available in this version yet: use stdout or webhook");
        }
        URI webhookUrl = kind == Kind.WEBHOOK ? env.httpUrl("REPLY_WEBHOOK_URL", "with REPLY_SINK=webhook") : null;
        return new SinkSettings(kind, webhookUrl, env.millis("REPLY_WEBHOOK_TIMEOUT_MS", 5_000, 100, 120_000));
    }

    @Override
    public String toString() {
        // the webhook URL may carry a token in its query: show the host only
        return "sink=" + kind + (webhookUrl == null ? "" : " (" + webhookUrl.getHost() + ")");
    }
}
