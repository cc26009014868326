package com.replyguard.core;

import java.time.Instant;
import java.util.List;

/**
 * What is delivered: one bot message answering one or more user messages of a match.
 *
 * @param replyId identifies this reply, whatever the number of times it is delivered: chosen when
 *                the reply is generated, stored with it at commit, and sent again with it when a
 *                retry re-sends a reply whose delivery was not confirmed (SPEC I11). Receivers drop
 *                a {@code replyId} they have already seen.
 */
public record Reply(String replyId, String matchId, List<String> inReplyTo, String reply, Instant generatedAt) {
    public Reply {
        inReplyTo = List.copyOf(inReplyTo);
    }
}
