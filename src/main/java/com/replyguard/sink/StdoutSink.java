package com.replyguard.sink;

import com.replyguard.core.Reply;
import com.replyguard.core.ReplySink;

import java.io.PrintStream;

/**
 * Prints each reply as one JSON line. For local runs and trials: on Lambda, stdout is the log,
 * so this sink puts reply texts in CloudWatch; production uses the webhook or SQS sink.
 */
public final class StdoutSink implements ReplySink {

    private final PrintStream out;

    public StdoutSink(PrintStream out) {
        this.out = out;
    }

    @Override
    public void deliver(Reply reply) {
        String line = ReplyJson.write(reply);
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }
}
