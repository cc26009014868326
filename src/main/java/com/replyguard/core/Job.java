package com.replyguard.core;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One user message to answer, as the bridge enqueued it. Validated by the adapter that built it:
 * {@code matchId}, {@code messageId} and {@code userMessage} are never blank here.
 *
 * @param sqsMessageId the queue's id for this delivery (a bridge double-enqueue has two of them
 *                     for one {@code messageId}); used for the batch response, never for dedup
 * @param receiveCount how many times the queue has delivered this message (1 on first delivery)
 */
public record Job(String matchId, String messageId, String sqsMessageId, int receiveCount,
                  String userMessage, Instant sentAt, List<Turn> history, String persona) {

    public Job {
        Objects.requireNonNull(matchId, "matchId");
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(userMessage, "userMessage");
        history = history == null ? List.of() : List.copyOf(history);
    }

    /** One earlier line of the conversation, given to the generator as context. */
    public record Turn(Role role, String text) {
        public enum Role { USER, ASSISTANT }
    }
}
