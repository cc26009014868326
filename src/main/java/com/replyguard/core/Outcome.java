package com.replyguard.core;

/** How a record ended; exactly one per record, logged in the field {@code outcome}. */
public enum Outcome {
    REPLIED,
    SKIPPED_IN_PROGRESS,
    COALESCED,
    SKIPPED_SIMILAR_QUESTION,
    SKIPPED_ALREADY_ANSWERED,
    DROPPED_DUPLICATE_REPLY,
    /** Replied without the guard because Redis failed (fail open). */
    GUARD_BYPASSED,
    /** Generation or delivery failed: reported in batchItemFailures so SQS retries it. */
    FAILED,
    /** The record could not be parsed or is invalid: reported in batchItemFailures, ends in the DLQ. */
    INVALID;

    /** The outcome's metric name: {@code SKIPPED_SIMILAR_QUESTION} → {@code SkippedSimilarQuestion}. */
    public String metricName() {
        StringBuilder name = new StringBuilder();
        for (String part : name().split("_")) {
            name.append(part.charAt(0)).append(part.substring(1).toLowerCase(java.util.Locale.ROOT));
        }
        return name.toString();
    }

    /** Whether SQS must see this record again (batchItemFailures). */
    public boolean retried() {
        return this == FAILED || this == INVALID;
    }
}
