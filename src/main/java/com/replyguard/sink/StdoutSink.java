package com.replyguard.sink;

import com.replyguard.core.Reply;
import com.replyguard.core.ReplySink;
import com.replyguard.logging.JsonLogLine;

import java.io.PrintStream;
import java.time.Clock;

/**
 * Prints each reply as one JSON line: the reply's fields after Lambda's log fields {@code timestamp}
 * and {@code level}, so the line is filed like any other. For local runs and trials: on Lambda,
 * stdout is the log, so this sink puts reply texts in CloudWatch; production uses the webhook or
 * SQS sink.
 */
public final class StdoutSink implements ReplySink {

    private final PrintStream out;
    private final Clock clock;

    public StdoutSink(PrintStream out) {
        this(out, Clock.systemUTC());
    }

    public StdoutSink(PrintStream out, Clock clock) {
        this.out = out;
        this.clock = clock;
    }

    @Override
    public void deliver(Reply reply) {
        JsonLogLine.write(out, JsonLogLine.at(clock.instant(), "INFO").setAll(ReplyJson.tree(reply)));
    }
}
