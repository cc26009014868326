package com.replyguard.redis;

/**
 * The guard's key names for tools outside this package (the local run prints them for
 * {@code redis-cli}); read from {@link MatchKeys}, so they follow any change of the key layout.
 */
public final class GuardKeys {

    private GuardKeys() {
    }

    /** A {@code SCAN} pattern matching every key of the match, glob characters of the id escaped. */
    public static String scanPattern(String matchId) {
        String flag = MatchKeys.of(matchId).flag();
        String base = flag.substring(0, flag.length() - "flag".length());
        return base.replaceAll("([*?\\[\\]\\\\])", "\\\\$1") + "*";
    }

    /** The marker saying that {@code messageId} of the match was answered. */
    public static String answered(String matchId, String messageId) {
        return MatchKeys.of(matchId).answered(messageId);
    }
}
