package com.replyguard.logging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.PrintStream;
import java.time.Instant;

/**
 * One JSON object per line, as Lambda's JSON log format files it: {@code timestamp} (ISO-8601,
 * UTC) and {@code level} first, then the line's own fields. Lambda files a line without a valid
 * {@code timestamp} or {@code level} as INFO at the time it read it; every line the worker writes
 * starts here so that filtering by level and time works in CloudWatch.
 */
public final class JsonLogLine {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonLogLine() {
    }

    /** A new line with its {@code timestamp} and {@code level}; add the fields, then {@link #write} it. */
    public static ObjectNode at(Instant timestamp, String level) {
        ObjectNode line = JSON.createObjectNode();
        line.put("timestamp", timestamp.toString());
        line.put("level", level);
        return line;
    }

    /** Prints the line whole, flushed, never interleaved with another line written through here. */
    public static void write(PrintStream out, ObjectNode line) {
        String text;
        try {
            text = JSON.writeValueAsString(line);
        } catch (JsonProcessingException e) {
            text = "{\"timestamp\":\"" + Instant.now() + "\",\"level\":\"ERROR\",\"message\":\"log line not serialisable\"}";
        }
        synchronized (out) {
            out.println(text);
            out.flush();
        }
    }
}
