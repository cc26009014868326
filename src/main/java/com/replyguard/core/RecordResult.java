package com.replyguard.core;

/**
 * How one job ended, with what an operator needs to understand it — ids, timings, scores — and
 * never the message or reply text.
 *
 * @param similarity the highest similarity found by the check that decided (question or reply), or -1
 * @param holderMessageId the messageId holding the flag, for {@code SKIPPED_IN_PROGRESS}
 * @param error           a short reason for {@code FAILED} / guard trouble, free of message text
 */
public record RecordResult(Outcome outcome, double similarity, String holderMessageId, double guardMillis,
                           double generateMillis, double deliverMillis, int replyLength, boolean flagLost,
                           String error) {
}
