package com.replyguard.bench.sim;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Counts the commands clients send to Redis, by name, with {@code MONITOR}: a line
 * {@code [0 127.0.0.1:PORT] "evalsha" …} is one round trip; {@code [0 lua] "get" …} is a command run
 * inside a script and is not counted. (INFO commandstats and total_commands_processed count both.)
 * A reader thread drains the stream while the run goes, so Redis never buffers it.
 */
final class CommandCounter implements AutoCloseable {

    private final String host;
    private final int port;
    private final Socket socket;
    private final BufferedReader in;
    private final Map<String, Long> counts = new TreeMap<>();
    private final CountDownLatch sawMarker = new CountDownLatch(1);
    private final String marker = "bench-marker-" + System.nanoTime();
    private final Thread reader;

    private CommandCounter(String host, int port) throws IOException {
        this.host = host;
        this.port = port;
        this.socket = new Socket(host, port);
        this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        socket.getOutputStream().write("MONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        String ok = in.readLine();
        if (!"+OK".equals(ok)) {
            throw new IllegalStateException("MONITOR answered " + ok);
        }
        this.reader = Thread.ofPlatform().daemon().name("monitor-reader").start(this::read);
    }

    static CommandCounter start(String host, int port) {
        try {
            return new CommandCounter(host, port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void read() {
        try {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.contains(marker)) {
                    sawMarker.countDown();
                    return;
                }
                int bracket = line.indexOf("] \"");
                if (bracket < 0 || line.contains("[0 lua]") || line.matches("^\\S+ \\[\\d+ lua\\].*")) {
                    continue;
                }
                int start = bracket + 3;
                int end = line.indexOf('"', start);
                String command = line.substring(start, end).toLowerCase(Locale.ROOT);
                synchronized (counts) {
                    counts.merge(command, 1L, Long::sum);
                }
            }
        } catch (IOException e) {
            // socket closed
        }
    }

    /** Sends a marker from another connection and returns every client command seen before it. */
    Map<String, Long> stop() {
        try (Socket other = new Socket(host, port)) {
            other.getOutputStream().write(("ECHO " + marker + "\r\n").getBytes(StandardCharsets.US_ASCII));
            other.getOutputStream().flush();
            if (!sawMarker.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("MONITOR did not show the marker");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        synchronized (counts) {
            return new TreeMap<>(counts);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
            reader.join(1000);
        } catch (IOException | InterruptedException e) {
            // closing
        }
    }
}
