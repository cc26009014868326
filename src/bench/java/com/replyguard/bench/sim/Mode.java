package com.replyguard.bench.sim;

import java.util.Arrays;

/** What guards the simulated workers. */
public enum Mode {
    /** the real handler with GUARD_ENABLED=false: before any guard */
    NONE("none", "none (no guard)"),
    /** the original design, re-implemented in {@code baseline/} for comparison only */
    ORIGINAL("original", "original design (re-implemented)"),
    /** the real handler, default settings */
    REPLY_GUARD("reply-guard", "reply-guard");

    public final String key;
    public final String label;

    Mode(String key, String label) {
        this.key = key;
        this.label = label;
    }

    public static Mode of(String key) {
        return Arrays.stream(values()).filter(m -> m.key.equals(key.trim())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown mode " + key + ": none, original or reply-guard"));
    }
}
