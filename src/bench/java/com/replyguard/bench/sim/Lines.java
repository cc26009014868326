package com.replyguard.bench.sim;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A print stream that keeps each line written to it with the moment it was completed
 * (System.nanoTime): the replies a sink delivers and the log lines a handler writes.
 */
final class Lines {

    record Line(long atNanos, String text) {
    }

    private final Queue<Line> lines = new ConcurrentLinkedQueue<>();

    /** A new stream writing into this collector; give each writer its own. */
    PrintStream stream() {
        return new PrintStream(new Splitter(), true, StandardCharsets.UTF_8);
    }

    void add(String text) {
        lines.add(new Line(System.nanoTime(), text));
    }

    List<Line> all() {
        return List.copyOf(lines);
    }

    private final class Splitter extends OutputStream {
        private final ByteArrayOutputStream current = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                flushLine();
            } else {
                current.write(b);
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            for (int i = off; i < off + len; i++) {
                write(b[i]);
            }
        }

        private void flushLine() {
            String text = current.toString(StandardCharsets.UTF_8).strip();
            current.reset();
            if (!text.isEmpty()) {
                lines.add(new Line(System.nanoTime(), text));
            }
        }
    }
}
