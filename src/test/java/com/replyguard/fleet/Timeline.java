package com.replyguard.fleet;

import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The run's clock (milliseconds since the traffic started, negative before) and what the harness
 * saw happen, in order.
 */
public final class Timeline {

    /** {@code source} is a container, "redis", "traffic", "receiver" or "fault". */
    public record Event(long atMs, String source, String text) {
    }

    private record Stamped(long nanos, String source, String text) {
    }

    private volatile long originNanos = System.nanoTime();
    private volatile long originWallMs = System.currentTimeMillis();
    private final List<Stamped> events = new CopyOnWriteArrayList<>();

    /** The traffic starts now: time 0 of the run. */
    public void start() {
        originWallMs = System.currentTimeMillis();
        originNanos = System.nanoTime();
    }

    public long now() {
        return (System.nanoTime() - originNanos) / 1_000_000;
    }

    /** A wall-clock instant (a log line's timestamp) on this run's clock. */
    public long fromWall(long epochMillis) {
        return epochMillis - originWallMs;
    }

    public void add(String source, String text) {
        events.add(new Stamped(System.nanoTime(), source, text));
    }

    public List<Event> events() {
        long origin = originNanos;
        return events.stream().map(e -> new Event((e.nanos() - origin) / 1_000_000, e.source(), e.text()))
                .sorted(Comparator.comparingLong(Event::atMs)).toList();
    }
}
