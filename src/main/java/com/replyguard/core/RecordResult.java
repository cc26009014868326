package com.replyguard.core;

import java.time.Duration;
import java.util.List;

/**
 * How one job ended, with what an operator needs to understand it — ids, timings, scores — and
 * never the message or reply text.
 *
 * @param similarity      the score of the check that decided (question or reply similarity), or -1
 * @param holderMessageId the messageId holding the flag, when another job was generating
 * @param inReplyTo       the messages the reply this job delivered answers (empty if it delivered none)
 * @param rounds          generations this job ran (more than one when messages were handed over meanwhile)
 * @param replies         replies this job delivered (a follow-up makes two)
 * @param error           a short reason for {@code FAILED} or guard trouble, free of message text
 * @param retryAfter      non-null: the record stays on the queue (in {@code batchItemFailures}) although
 *                        it did not fail, and should come back after this long — its message is not yet
 *                        answered nor durably committed to be (SPEC I2), e.g. handed over to a holder
 * @param replyIds        the {@code replyId} of each reply this job delivered
 * @param parked          handed-over messages this job parked after too many failed generations
 */
public record RecordResult(Outcome outcome, double similarity, String holderMessageId, double guardMillis,
                           double generateMillis, double deliverMillis, int replyLength, List<String> inReplyTo,
                           int rounds, int replies, String error, Duration retryAfter, List<String> replyIds,
                           List<String> parked) {

    public RecordResult {
        inReplyTo = List.copyOf(inReplyTo);
        replyIds = List.copyOf(replyIds);
        parked = List.copyOf(parked);
    }

    /** Whether SQS must keep the record (batchItemFailures): it failed, is invalid, or waits for another job. */
    public boolean retried() {
        return outcome.retried() || retryAfter != null;
    }
}
