package com.replyguard.testing;

/**
 * A pause between arrivals in fault tests (messages keep coming while a server recovers). Never
 * used to wait for a result: tests synchronise on latches, barriers and bounded polling.
 */
public final class Pacing {

    private Pacing() {
    }

    public static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while pacing", e);
        }
    }
}
