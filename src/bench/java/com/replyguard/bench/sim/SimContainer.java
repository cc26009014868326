package com.replyguard.bench.sim;

import java.util.List;
import java.util.Set;

/** One simulated Lambda container: its own handler instance and connections, one batch at a time. */
public interface SimContainer extends AutoCloseable {

    /** Handles one SQS batch; returns the SQS ids reported in {@code batchItemFailures}. */
    Set<String> handle(List<SimQueue.Received> batch);

    @Override
    void close();
}
