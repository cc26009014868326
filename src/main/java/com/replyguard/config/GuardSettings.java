package com.replyguard.config;

import java.time.Duration;

/**
 * How the guard decides.
 *
 * @param ttl         lifetime of the in-progress flag and of the recent questions and replies
 * @param answeredTtl how long an answered messageId is remembered
 * @param coalesceMaxRounds how many times a holder generates again to cover messages handed over
 *                          meanwhile before it delivers and answers newer ones with a follow-up
 */
public record GuardSettings(boolean enabled, Duration ttl, Duration answeredTtl, double questionSimilarity,
                            double replySimilarity, boolean coalesce, int coalesceMaxRounds) {

    static GuardSettings from(Environment env) {
        Duration ttl = env.seconds("GUARD_TTL_SECONDS", 60, 1, 86_400);
        Duration answeredTtl = env.seconds("ANSWERED_TTL_SECONDS", 3600, 1, 7 * 86_400);
        if (answeredTtl.compareTo(ttl) < 0) {
            throw new ConfigException("ANSWERED_TTL_SECONDS must be at least GUARD_TTL_SECONDS");
        }
        return new GuardSettings(env.bool("GUARD_ENABLED", true), ttl, answeredTtl,
                env.fraction("QUESTION_SIMILARITY", 0.70),
                env.fraction("REPLY_SIMILARITY", 0.80),
                env.bool("COALESCE", true),
                (int) env.number("COALESCE_MAX_ROUNDS", 3, 1, 10, "rounds"));
    }
}
