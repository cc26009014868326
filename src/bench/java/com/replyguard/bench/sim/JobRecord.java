package com.replyguard.bench.sim;

/**
 * How one SQS record ended, as the worker's per-record log line says.
 *
 * @param guardMs     time the job spent waiting on the guard's Redis round trips
 * @param generations generator calls the job made (0 when it skipped)
 */
public record JobRecord(String matchId, String messageId, String sqsId, int receiveCount, String outcome,
                        double guardMs, int generations) {

    /** Ended without a reply of its own: skipped, joined another job's reply, or dropped as a duplicate. */
    public boolean skipped() {
        return outcome.startsWith("SKIPPED_") || outcome.equals("COALESCED") || outcome.equals("DROPPED_DUPLICATE_REPLY");
    }
}
