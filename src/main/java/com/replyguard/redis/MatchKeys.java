package com.replyguard.redis;

import com.replyguard.core.Fingerprint;

import java.util.List;

/**
 * The Redis keys of one match, all under one hash tag so that every script touching them runs on
 * one slot of a Redis Cluster (ElastiCache Serverless): {@code rg:{match-42}:flag}.
 *
 * <p>A matchId containing a brace would end the hash tag early (or leave it empty, spreading the
 * keys over several slots): such ids are tagged by their SHA-256 instead.
 *
 * @param flag      hash: owner token, messageId, since, question; lives for the holder's lease
 * @param questions list of recent questions, {@code <ms>|<normalised text>}, newest first
 * @param replies   list of recent replies, {@code <ms>|{"r": reply, "q": [questions]}}, newest first
 * @param handover  hash: messageId → handed-over message JSON, until a reply covering it is committed
 * @param attempts  hash: messageId → failed generations that included that handed-over message
 * @param parked    hash: messageId → a handed-over message parked after too many failed generations
 * @param outbox    hash: replyId → {@code <ms committed>|<reply JSON>}, until its delivery is confirmed
 */
record MatchKeys(String flag, String questions, String replies, String handover, String attempts, String parked,
                 String outbox, String tag) {

    static final String PREFIX = "rg:";

    static MatchKeys of(String matchId) {
        String tag = matchId.indexOf('{') < 0 && matchId.indexOf('}') < 0
                ? matchId : "sha256:" + Fingerprint.sha256Hex(matchId);
        String base = PREFIX + "{" + tag + "}:";
        return new MatchKeys(base + "flag", base + "questions", base + "replies", base + "handover", base + "attempts",
                base + "parked", base + "outbox", tag);
    }

    /** The marker that {@code messageId} of this match is answered (by a replyId) or a repeat; its own TTL. */
    String answered(String messageId) {
        return PREFIX + "{" + tag + "}:answered:" + messageId;
    }

    /** The match's keys that every message shares, in the order the scripts name them. */
    List<String> shared() {
        return List.of(flag, questions, replies, handover, attempts, parked, outbox);
    }

    /** Every key of the match a job of {@code messageId} may touch. */
    List<String> all(String messageId) {
        return List.of(flag, questions, replies, handover, attempts, parked, outbox, answered(messageId));
    }
}
