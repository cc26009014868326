package com.replyguard.core;

import java.time.Instant;

/**
 * A user message that arrived while another job was generating for its match, handed to that job to
 * be answered by its reply (SPEC I2). Kept in the guard until a reply covering it is committed; its
 * own SQS record stays on the queue until then, so that it survives the holder's failure.
 *
 * @param sentAt          when the user sent it, if the bridge said so
 * @param handedOverAt    when it was handed over, epoch ms
 * @param failedAttempts  generations that included it and failed; at the limit it is parked
 */
public record HandedOverMessage(String messageId, String text, Instant sentAt, long handedOverAt, int failedAttempts) {

    public HandedOverMessage(String messageId, String text, Instant sentAt, long handedOverAt) {
        this(messageId, text, sentAt, handedOverAt, 0);
    }
}
