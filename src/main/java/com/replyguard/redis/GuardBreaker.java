package com.replyguard.redis;

import io.lettuce.core.RedisException;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A circuit breaker in front of the guard's Redis, so that an outage costs a few timeouts per
 * container instead of one per message.
 *
 * <ul>
 *   <li><b>closed</b>: every call goes to Redis; {@code threshold} consecutive failures open it;</li>
 *   <li><b>open</b>: every call fails at once with {@link OpenException} (the pipeline then replies
 *       without the guard) until {@code cooldown} has passed;</li>
 *   <li><b>half-open</b>: after the cool-down, exactly one call goes through as a probe while the
 *       others keep failing fast; its success closes the breaker, its failure opens it again.</li>
 * </ul>
 *
 * <p>A failure is anything but an answer from the server: a timeout, a refused or lost connection, a
 * command rejected while disconnected. An error reply ({@code NOSCRIPT}, {@code CLUSTERDOWN}…)
 * proves the connection works and counts as a success here; it is fast anyway.
 *
 * <p>State is per container and in memory (connection state, not guard state). Time is measured
 * with a monotonic clock, so a wall-clock change cannot open or close it.
 */
final class GuardBreaker {

    /** Told of each transition, for the log; never given a secret. */
    interface Listener {
        void opened(int consecutiveFailures, Duration cooldown, String cause);

        void closed(Duration wasOpenFor);
    }

    enum State { CLOSED, OPEN, HALF_OPEN }

    /** What a caller holds while its call runs: an ordinary call, or the half-open probe. */
    enum Permit { CALL, PROBE }

    private final int threshold;
    private final long cooldownNanos;
    private final LongSupplier nanoClock;
    private final Listener listener;

    // guarded by this; critical sections never block
    private int consecutiveFailures;
    private boolean open;
    private boolean probing;
    private long openedAt;
    private long retryAt;

    GuardBreaker(int threshold, Duration cooldown, LongSupplier nanoClock, Listener listener) {
        if (threshold < 1) {
            throw new IllegalArgumentException("threshold must be at least 1");
        }
        this.threshold = threshold;
        this.cooldownNanos = cooldown.toNanos();
        this.nanoClock = nanoClock;
        this.listener = listener;
    }

    /** @throws OpenException when the breaker is open, or half-open with its probe already running */
    Permit acquire() {
        synchronized (this) {
            if (!open) {
                return Permit.CALL;
            }
            long now = nanoClock.getAsLong();
            if (now - retryAt < 0) {
                throw new OpenException("Redis breaker open after " + consecutiveFailures
                        + " consecutive failures; next probe in " + Math.max(1, (retryAt - now) / 1_000_000) + " ms");
            }
            if (probing) {
                throw new OpenException("Redis breaker half-open; a probe is running");
            }
            probing = true;
            return Permit.PROBE;
        }
    }

    /** The call got an answer from Redis. */
    void succeeded(Permit permit) {
        long openFor = -1;
        synchronized (this) {
            consecutiveFailures = 0;
            if (permit == Permit.PROBE) {
                probing = false;
            }
            if (open) {
                open = false;
                openFor = nanoClock.getAsLong() - openedAt;
            }
        }
        if (openFor >= 0) {
            listener.closed(Duration.ofNanos(openFor));
        }
    }

    /**
     * The call got no answer from Redis.
     *
     * @return whether this failure opened the breaker (or re-opened it after a failed probe)
     */
    boolean failed(Permit permit, Throwable cause) {
        int failures;
        synchronized (this) {
            consecutiveFailures++;
            failures = consecutiveFailures;
            long now = nanoClock.getAsLong();
            if (permit == Permit.PROBE) {
                probing = false;
                retryAt = now + cooldownNanos;
                return true; // still open: no new event, the probe's failure is in the record's log line
            }
            if (open || consecutiveFailures < threshold) {
                return false;
            }
            open = true;
            openedAt = now;
            retryAt = now + cooldownNanos;
        }
        listener.opened(failures, Duration.ofNanos(cooldownNanos), cause == null ? "unknown" : cause.getClass().getSimpleName());
        return true;
    }

    synchronized State state() {
        if (!open) {
            return State.CLOSED;
        }
        return probing || nanoClock.getAsLong() - retryAt >= 0 ? State.HALF_OPEN : State.OPEN;
    }

    /** Thrown instead of calling Redis while the breaker is open: the guard is bypassed at no cost. */
    static final class OpenException extends RedisException {
        OpenException(String message) {
            super(message);
        }
    }
}
