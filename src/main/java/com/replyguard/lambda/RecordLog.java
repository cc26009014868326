package com.replyguard.lambda;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.replyguard.config.ObservabilitySettings.LogLevel;
import com.replyguard.core.Fingerprint;
import com.replyguard.core.Job;
import com.replyguard.core.Outcome;
import com.replyguard.core.RecordResult;
import com.replyguard.logging.JsonLogLine;

import java.io.PrintStream;
import java.time.Clock;

/**
 * One JSON line per record, shaped like Lambda's JSON log format ({@code timestamp}, {@code level},
 * {@code message}, {@code requestId}) plus the record's outcome, ids, timings and scores, so that
 * CloudWatch Logs Insights can filter on any field. Never the message or reply text (this is a
 * dating app): lengths, and at DEBUG a hash that tells equal texts apart.
 */
final class RecordLog {

    private final PrintStream out;
    private final LogLevel level;
    private final Clock clock;

    RecordLog(PrintStream out, LogLevel level, Clock clock) {
        this.out = out;
        this.level = level;
        this.clock = clock;
    }

    void processed(Job job, RecordResult result, String requestId) {
        LogLevel lineLevel = result.outcome().retried() || !result.parked().isEmpty() ? LogLevel.WARN : LogLevel.INFO;
        if (!level.allows(lineLevel)) {
            return;
        }
        ObjectNode line = base(lineLevel, "record " + result.outcome().name().toLowerCase(), result.outcome(),
                job.sqsMessageId(), requestId);
        line.put("matchId", job.matchId());
        line.put("messageId", job.messageId());
        line.put("receiveCount", job.receiveCount());
        line.put("messageLength", job.userMessage().length());
        if (level.allows(LogLevel.DEBUG)) {
            line.put("messageSha256", Fingerprint.of(job.userMessage()));
        }
        if (result.similarity() >= 0) {
            line.put("similarity", Math.round(result.similarity() * 1000) / 1000.0);
        }
        if (result.holderMessageId() != null) {
            line.put("holderMessageId", result.holderMessageId());
        }
        line.put("guardMs", round(result.guardMillis()));
        line.put("generateMs", round(result.generateMillis()));
        line.put("deliverMs", round(result.deliverMillis()));
        if (result.replyLength() > 0) {
            line.put("replyLength", result.replyLength());
        }
        if (!result.inReplyTo().isEmpty()) {
            result.inReplyTo().forEach(line.putArray("inReplyTo")::add);
        }
        if (result.rounds() > 1) {
            line.put("rounds", result.rounds());
        }
        if (result.replies() > 1) {
            line.put("replies", result.replies());
        }
        if (!result.replyIds().isEmpty()) {
            result.replyIds().forEach(line.putArray("replyIds")::add);
        }
        if (result.retryAfter() != null) {
            // not failed, yet left on the queue: it waits for another job's reply (SPEC I2)
            line.put("retryAfterMs", result.retryAfter().toMillis());
        }
        if (!result.parked().isEmpty()) {
            // a handed-over message every generation failed on: set aside so it cannot block its match
            result.parked().forEach(line.putArray("parked")::add);
        }
        if (result.error() != null) {
            line.put("error", result.error());
        }
        write(line);
    }

    void invalid(String sqsMessageId, String reason, String requestId) {
        if (level.allows(LogLevel.WARN)) {
            ObjectNode line = base(LogLevel.WARN, "record invalid", Outcome.INVALID, sqsMessageId, requestId);
            line.put("error", reason);
            write(line);
        }
    }

    void failed(Job job, String reason, String requestId) {
        if (level.allows(LogLevel.ERROR)) {
            ObjectNode line = base(LogLevel.ERROR, "record failed", Outcome.FAILED, job.sqsMessageId(), requestId);
            line.put("matchId", job.matchId());
            line.put("messageId", job.messageId());
            line.put("error", reason);
            write(line);
        }
    }

    private ObjectNode base(LogLevel lineLevel, String message, Outcome outcome, String sqsMessageId, String requestId) {
        ObjectNode line = JsonLogLine.at(clock.instant(), lineLevel.name());
        line.put("message", message);
        if (requestId != null) {
            line.put("requestId", requestId);
        }
        line.put("outcome", outcome.name());
        line.put("sqsMessageId", sqsMessageId);
        return line;
    }

    private static double round(double millis) {
        return Math.round(millis * 1000) / 1000.0;
    }

    private void write(ObjectNode line) {
        JsonLogLine.write(out, line);
    }
}
