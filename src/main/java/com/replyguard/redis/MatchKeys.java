package com.replyguard.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
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
        String tag = matchId.indexOf('{') < 0 && matchId.indexOf('}') < 0 ? matchId : "sha256:" + sha256(matchId);
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

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
