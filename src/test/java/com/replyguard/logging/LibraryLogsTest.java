package com.replyguard.logging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.assertj.core.api.Assertions.assertThat;

/** The libraries' log records (Lettuce, Netty, the SDK, through SLF4J and the JDK's logging) as Lambda JSON lines. */
class LibraryLogsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldWriteOneJsonLineWithTimestampAndLevel_forALibraryWarning() throws Exception {
        LogRecord record = new LogRecord(Level.WARNING, "Reconnecting, last destination was {0}");
        record.setParameters(new Object[] {"/127.0.0.1:6379"});
        record.setLoggerName("io.lettuce.core.protocol.ConnectionWatchdog");
        record.setInstant(Instant.parse("2026-12-01T10:00:00.123Z"));
        record.setThrown(new java.io.IOException("Connection reset"));

        String text = new LibraryLogs.JsonFormatter().format(record);

        assertThat(text).endsWith(System.lineSeparator()).doesNotContain("\n{");
        JsonNode line = JSON.readTree(text);
        assertThat(line.get("timestamp").asText()).isEqualTo("2026-12-01T10:00:00.123Z");
        assertThat(line.get("level").asText()).isEqualTo("WARN");
        assertThat(line.get("logger").asText()).isEqualTo("io.lettuce.core.protocol.ConnectionWatchdog");
        assertThat(line.get("message").asText()).isEqualTo("Reconnecting, last destination was /127.0.0.1:6379");
        assertThat(line.get("error").asText()).isEqualTo("java.io.IOException: Connection reset");
    }

    @Test
    void shouldMapSevereToError() throws Exception {
        LogRecord record = new LogRecord(Level.SEVERE, "boom");
        assertThat(JSON.readTree(new LibraryLogs.JsonFormatter().format(record)).get("level").asText()).isEqualTo("ERROR");
    }
}
