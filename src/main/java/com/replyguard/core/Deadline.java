package com.replyguard.core;

import java.time.Duration;

/** How long the invocation may still run (Lambda's remaining time), read from a monotonic clock. */
public final class Deadline {

    /** What {@link #remaining} says of no deadline. */
    public static final Duration UNLIMITED = Duration.ofDays(365);

    private static final Deadline NONE = new Deadline(Long.MAX_VALUE);

    private final long endNanos;

    private Deadline(long endNanos) {
        this.endNanos = endNanos;
    }

    /** No limit: local runs and tests without a Lambda context. */
    public static Deadline none() {
        return NONE;
    }

    public static Deadline in(Duration remaining) {
        return new Deadline(System.nanoTime() + remaining.toNanos());
    }

    public boolean allows(Duration work) {
        return this == NONE || System.nanoTime() + work.toNanos() < endNanos;
    }

    /** The time left, never negative; {@link #UNLIMITED} without a deadline. */
    public Duration remaining() {
        return this == NONE ? UNLIMITED : Duration.ofNanos(Math.max(0, endNanos - System.nanoTime()));
    }
}
