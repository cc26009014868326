package com.replyguard.logging;

import java.io.PrintStream;
import java.time.Instant;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * The libraries' own logs (Lettuce's reconnects, Netty, the AWS SDK: SLF4J, bound to the JDK's
 * {@code java.util.logging}), at WARN and above, one JSON line each in Lambda's JSON log format
 * ({@code timestamp}, {@code level}, {@code logger}, {@code message}), on stderr. Installed once,
 * at init, before any library logs; the JDK's default handler (two plain-text lines per record,
 * INFO and above) is replaced.
 */
public final class LibraryLogs {

    private static boolean installed;

    private LibraryLogs() {
    }

    public static synchronized void install(PrintStream out) {
        if (installed) {
            return;
        }
        Logger root = LogManager.getLogManager().getLogger("");
        for (Handler handler : root.getHandlers()) {
            root.removeHandler(handler);
        }
        StreamHandler handler = new StreamHandler(out, new JsonFormatter()) {
            @Override
            public synchronized void publish(LogRecord record) {
                super.publish(record);
                flush();
            }
        };
        handler.setLevel(Level.WARNING);
        root.addHandler(handler);
        root.setLevel(Level.WARNING);
        installed = true;
    }

    /** A record as one JSON line; the message is the library's, with its parameters filled in. */
    static final class JsonFormatter extends Formatter {
        @Override
        public String format(LogRecord record) {
            var line = JsonLogLine.at(Instant.ofEpochMilli(record.getMillis()), level(record.getLevel()))
                    .put("logger", record.getLoggerName())
                    .put("message", formatMessage(record));
            if (record.getThrown() != null) {
                Throwable thrown = record.getThrown();
                line.put("error", thrown.getClass().getName() + (thrown.getMessage() == null ? "" : ": " + thrown.getMessage()));
            }
            return line + System.lineSeparator();
        }

        private static String level(Level level) {
            if (level.intValue() >= Level.SEVERE.intValue()) {
                return "ERROR";
            }
            if (level.intValue() >= Level.WARNING.intValue()) {
                return "WARN";
            }
            return level.intValue() >= Level.INFO.intValue() ? "INFO" : "DEBUG";
        }
    }
}
