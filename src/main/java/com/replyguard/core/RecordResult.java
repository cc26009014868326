package com.replyguard.core;

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
 */
public record RecordResult(Outcome outcome, double similarity, String holderMessageId, double guardMillis,
                           double generateMillis, double deliverMillis, int replyLength, List<String> inReplyTo,
                           int rounds, int replies, String error) {

    public RecordResult {
        inReplyTo = List.copyOf(inReplyTo);
    }
}
