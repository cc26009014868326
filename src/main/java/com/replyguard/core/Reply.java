package com.replyguard.core;

import java.time.Instant;
import java.util.List;

/** What is delivered: one bot message answering one or more user messages of a match. */
public record Reply(String matchId, List<String> inReplyTo, String reply, Instant generatedAt) {
    public Reply {
        inReplyTo = List.copyOf(inReplyTo);
    }
}
