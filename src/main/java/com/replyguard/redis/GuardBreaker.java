package com.replyguard.redis;

import io.lettuce.core.RedisException;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A circuit breaker in front of the guard's Redis, so that an outage costs each container one
 * timeout, not one per message.
 *
 * <ul>
 *   <li><b>closed</b>: every call goes to Redis; {@code threshold} consecutive failures (1 by
 *       default) open it;</li>
 *   <li><b>open</b>: every call fails at once with {@link OpenException} (the pipeline then replies
 *       without the guard) until {@code cooldown} has passed;</li>
 *   <li><b>half-open</b>: after the cool-down, exactly one call goes through as a probe while the
 *       others keep failing fast; its success closes the breaker, its failure opens it again.</li>
 * </ul>
 *
 * <p>The one retry of a call whose result is unknown (it timed out, or its connection was cut)
 * passes an open breaker: it is what tells a short stall, after which the retry succeeds and closes
 * the breaker, from an outage. Every permit carries the breaker's epoch, which changes whenever it
 * opens or closes: a late answer to a call made before the last change changes nothing (a success
 * that arrives after the breaker opened must not close it while a probe is running).
 *
 * <p>What counts as a failure is the caller's call ({@link RedisConnector}): no answer, or an
 * answer saying the server cannot serve ({@code READONLY}, {@code LOADING}, {@code CLUSTERDOWN}…).
 * State is per container and in memory (connection state, not guard state). Time is measured with a
 * monotonic clock, so a wall-clock change cannot open or close it.
 */
final class GuardBreaker {

    /** Told of each transition, for the log; never given a secret. */
    interface Listener {
        void opened(int consecutiveFailures, Duration cooldown, String cause);

        void closed(Duration wasOpenFor);
    }

    enum State { CLOSED, OPEN, HALF_OPEN }

    /** An ordinary call, the half-open probe, or the retry of a call whose result is unknown. */
    enum Kind { CALL, PROBE, RETRY }

    /** What a caller holds while its call runs. */
    record Permit(Kind kind, long epoch) {
    }

    private final int threshold;
    private final long cooldownNanos;
    private final long returnWaitNanos;
    private final LongSupplier nanoClock;
    private final Listener listener;

    // guarded by this; critical sections never block
    private int consecutiveFailures;
    private boolean open;
    private boolean probing;
    private long openedAt;
    private long retryAt;
    private long returnUntil;
    private long epoch;

    GuardBreaker(int threshold, Duration cooldown, LongSupplier nanoClock, Listener listener) {
        this(threshold, cooldown, Duration.ZERO, nanoClock, listener);
    }

    /**
     * @param returnWait how long calls may wait for Redis to come back after a failure that opened
     *                   the breaker and says Redis may be back in a moment ({@link #returnUntil})
     */
    GuardBreaker(int threshold, Duration cooldown, Duration returnWait, LongSupplier nanoClock, Listener listener) {
        if (threshold < 1) {
            throw new IllegalArgumentException("threshold must be at least 1");
        }
        this.threshold = threshold;
        this.cooldownNanos = cooldown.toNanos();
        this.returnWaitNanos = returnWait.toNanos();
        this.nanoClock = nanoClock;
        this.listener = listener;
    }

    /** @throws OpenException when the breaker is open, or half-open with its probe already running */
    Permit acquire() {
        synchronized (this) {
            if (!open) {
                return new Permit(Kind.CALL, epoch);
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
            return new Permit(Kind.PROBE, epoch);
        }
    }

    /**
     * The permit of a probe made in the background while the breaker is open, whatever the
     * cool-down, or {@code null} when it is closed or a probe is already running.
     */
    synchronized Permit acquireBackgroundProbe() {
        if (!open || probing) {
            return null;
        }
        probing = true;
        return new Permit(Kind.PROBE, epoch);
    }

    /** The permit of the one retry of a call whose result is unknown: granted even when open. */
    synchronized Permit acquireRetry() {
        return new Permit(open ? Kind.RETRY : Kind.CALL, epoch);
    }

    /** The call got a healthy answer from Redis. */
    void succeeded(Permit permit) {
        long openFor = -1;
        synchronized (this) {
            if (permit.kind() == Kind.PROBE) {
                probing = false;
            }
            if (permit.epoch() != epoch) {
                return; // a late answer to a call made before the breaker last changed
            }
            consecutiveFailures = 0;
            if (open) {
                open = false;
                epoch++;
                openFor = nanoClock.getAsLong() - openedAt;
            }
        }
        if (openFor >= 0) {
            listener.closed(Duration.ofNanos(openFor));
        }
    }

    /**
     * The call got no answer from Redis, or one saying it cannot serve.
     *
     * @return whether the failure opened the breaker or was its probe's
     */
    boolean failed(Permit permit, Throwable cause) {
        return failed(permit, cause, false);
    }

    /**
     * @param backSoon whether the failure says Redis may be back in a moment (a Redis that served
     *                 was lost fast): if it opens the breaker, calls may wait for it until
     *                 {@link #returnUntil}, set in the same step so that no caller sees the breaker
     *                 open without it
     */
    boolean failed(Permit permit, Throwable cause, boolean backSoon) {
        int failures;
        synchronized (this) {
            if (permit.kind() == Kind.PROBE) {
                probing = false;
            }
            if (permit.epoch() != epoch) {
                return false; // stale: the breaker changed since this call began
            }
            long now = nanoClock.getAsLong();
            if (permit.kind() == Kind.PROBE) {
                retryAt = now + cooldownNanos;
                return true; // still open: no new event, the probe's failure is in the record's log line
            }
            if (open) {
                return false;
            }
            consecutiveFailures++;
            failures = consecutiveFailures;
            if (consecutiveFailures < threshold) {
                return false;
            }
            open = true;
            epoch++;
            openedAt = now;
            retryAt = now + cooldownNanos;
            returnUntil = backSoon ? now + returnWaitNanos : now;
        }
        listener.opened(failures, Duration.ofNanos(cooldownNanos), cause == null ? "unknown" : cause.getClass().getSimpleName());
        return true;
    }

    /**
     * Until when, on the monotonic clock, calls may wait for the breaker to close: the opening's
     * return wait, or now when there is none or the breaker is closed.
     */
    synchronized long returnUntil() {
        return open ? returnUntil : nanoClock.getAsLong();
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
