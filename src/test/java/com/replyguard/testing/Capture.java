package com.replyguard.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A PrintStream that keeps what was printed, for reading back JSON lines (logs, stdout replies). */
public final class Capture {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    public PrintStream stream() {
        return stream;
    }

    public String text() {
        synchronized (stream) {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }

    public List<JsonNode> jsonLines() {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : text().split("\n")) {
            if (!line.isBlank()) {
                try {
                    lines.add(JSON.readTree(line));
                } catch (JsonProcessingException e) {
                    throw new AssertionError("not a JSON line: " + line, e);
                }
            }
        }
        return lines;
    }

    /** The per-record log lines (those with an {@code outcome}), in order. */
    public List<JsonNode> records() {
        return jsonLines().stream().filter(n -> n.has("outcome")).toList();
    }

    /** The {@code outcome} field of each per-record log line, in order. */
    public List<String> outcomes() {
        return records().stream().map(n -> n.get("outcome").asText()).toList();
    }

    /** The CloudWatch Embedded Metric Format documents (lines with an {@code _aws} block). */
    public List<JsonNode> metrics() {
        return jsonLines().stream().filter(n -> n.has("_aws")).toList();
    }

    public void reset() {
        synchronized (stream) {
            bytes.reset();
        }
    }
}
