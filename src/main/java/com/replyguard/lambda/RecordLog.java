package com.replyguard.lambda;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.replyguard.core.Job;
import com.replyguard.core.Outcome;
import com.replyguard.core.RecordResult;

import java.io.PrintStream;

/**
 * One JSON line per record: its outcome, ids, timings and scores. Never the message or reply text
 * (this is a dating app): lengths only.
 */
final class RecordLog {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintStream out;

    RecordLog(PrintStream out) {
        this.out = out;
    }

    void processed(Job job, RecordResult result) {
        ObjectNode line = base(result.outcome(), job.sqsMessageId());
        line.put("matchId", job.matchId());
        line.put("messageId", job.messageId());
        line.put("receiveCount", job.receiveCount());
        line.put("messageLength", job.userMessage().length());
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
        if (result.error() != null) {
            line.put("error", result.error());
        }
        write(line);
    }

    void invalid(String sqsMessageId, String reason) {
        ObjectNode line = base(Outcome.INVALID, sqsMessageId);
        line.put("error", reason);
        write(line);
    }

    void failed(Job job, String reason) {
        ObjectNode line = base(Outcome.FAILED, job.sqsMessageId());
        line.put("matchId", job.matchId());
        line.put("messageId", job.messageId());
        line.put("error", reason);
        write(line);
    }

    private static ObjectNode base(Outcome outcome, String sqsMessageId) {
        ObjectNode line = JSON.createObjectNode();
        line.put("level", outcome.retried() ? "WARN" : "INFO");
        line.put("outcome", outcome.name());
        line.put("sqsMessageId", sqsMessageId);
        return line;
    }

    private static double round(double millis) {
        return Math.round(millis * 1000) / 1000.0;
    }

    private void write(ObjectNode line) {
        String text;
        try {
            text = JSON.writeValueAsString(line);
        } catch (JsonProcessingException e) {
            text = "{\"level\":\"ERROR\",\"error\":\"log line not serialisable\"}";
        }
        synchronized (out) {
            out.println(text);
            out.flush();
        }
    }
}
