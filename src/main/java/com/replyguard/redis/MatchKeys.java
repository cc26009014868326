package com.replyguard.redis;

import com.replyguard.core.Fingerprint;

import java.util.List;

/**
 * The Redis keys of one match, all under one hash tag so that every script touching them runs on
 * one slot of a Redis Cluster (ElastiCache Serverless): {@code rg:{match-42}:flag}.
 *
 * <p>A matchId containing a brace would end the hash tag early (or leave it empty, spreading the
 * keys over several slots): such ids are tagged by their SHA-256 instead.
 */
record MatchKeys(String flag, String questions, String replies, String handover, String tag) {

    static final String PREFIX = "rg:";

    static MatchKeys of(String matchId) {
        String tag = matchId.indexOf('{') < 0 && matchId.indexOf('}') < 0
                ? matchId : "sha256:" + Fingerprint.sha256Hex(matchId);
        String base = PREFIX + "{" + tag + "}:";
        return new MatchKeys(base + "flag", base + "questions", base + "replies", base + "handover", tag);
    }

    /** The marker that {@code messageId} of this match was answered (one key each: its own TTL). */
    String answered(String messageId) {
        return PREFIX + "{" + tag + "}:answered:" + messageId;
    }

    /** Every key of the match a job of {@code messageId} may touch. */
    List<String> all(String messageId) {
        return List.of(flag, questions, replies, handover, answered(messageId));
    }

}
