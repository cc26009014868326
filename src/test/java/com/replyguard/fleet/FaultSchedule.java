package com.replyguard.fleet;

import com.replyguard.fleet.FleetSettings.Fault;
import com.replyguard.testing.RedisProcess;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/**
 * The faults of a run, drawn from the seed and injected one at a time: each starts at least
 * {@link #SETTLE_BETWEEN_FAULTS_MS} after the previous one ended, so that every fault is a single
 * fault, the case the invariants are stated for. Timed faults (kills, freezes to the function
 * timeout, Redis pauses and restarts) are planned over the traffic window; delivery faults (a
 * sender killed while its webhook request is open, a 5xx, a slow answer) strike requests as they
 * come, within a budget.
 */
final class FaultSchedule {

    static final long SETTLE_BETWEEN_FAULTS_MS = 2_000;
    /** How long a killed container takes to be back (a JVM start and the function's init). */
    private static final long RESTART_MS = 3_000;
    private static final int DELIVERY_KILLS = 3;
    private static final int REFUSALS = 8;
    private static final int SLOW_ANSWERS = 6;

    private record Planned(long atMs, Fault kind, long millis) {
    }

    private final Set<Fault> faults;
    private final List<Planned> planned;
    private final Random random;
    private final List<String> injected = new CopyOnWriteArrayList<>();
    private long busyUntil;
    private int deliveryKills;
    private int refusals;
    private int slowAnswers;

    private FaultSchedule(Set<Fault> faults, List<Planned> planned, Random random) {
        this.faults = faults;
        this.planned = planned;
        this.random = random;
    }

    /** @param windowMs faults start within the first {@code windowMs} of the run */
    static FaultSchedule draw(long seed, Set<Fault> faults, long windowMs) {
        Random random = new Random(seed * 31 + 7);
        List<Fault> timed = faults.stream().filter(f -> f != Fault.WEBHOOK).toList();
        List<Planned> planned = new ArrayList<>();
        long at = 1_000 + random.nextInt(1_500);
        while (!timed.isEmpty() && at < windowMs) {
            Fault kind = timed.get(random.nextInt(timed.size()));
            long millis = switch (kind) {
                case PAUSE -> 600 + random.nextInt(501);    // longer than the 300 ms command timeout
                case RESTART -> 300 + random.nextInt(701);  // down for this long
                default -> 0;
            };
            planned.add(new Planned(at, kind, millis));
            at += duration(kind, millis) + SETTLE_BETWEEN_FAULTS_MS + random.nextInt(3_000);
        }
        return new FaultSchedule(faults, planned, random);
    }

    private static long duration(Fault kind, long millis) {
        return switch (kind) {
            case KILL -> RESTART_MS;
            case TIMEOUT -> FleetSettings.FUNCTION_TIMEOUT_SECONDS * 1_000L + RESTART_MS;
            case PAUSE -> millis;
            case RESTART -> millis + 500;
            case WEBHOOK -> 0;
        };
    }

    /** Runs the timed faults, in the caller's thread, until they are all done or {@code stop} says so. */
    void run(List<FleetContainer> containers, RedisProcess redis, Timeline timeline, BooleanSupplier stop) {
        for (Planned fault : planned) {
            while (!stop.getAsBoolean() && (timeline.now() < fault.atMs() || timeline.now() < busyUntil())) {
                sleep(20);
            }
            if (stop.getAsBoolean()) {
                return;
            }
            long start = timeline.now();
            String on = "";
            switch (fault.kind()) {
                case KILL -> {
                    FleetContainer container = target(containers);
                    on = " " + container.name() + (container.busy() ? ", in an invocation" : ", idle");
                    container.kill("fault: kill -9");
                }
                case TIMEOUT -> {
                    FleetContainer container = target(containers);
                    on = " " + container.name();
                    container.freeze();
                }
                case PAUSE -> {
                    timeline.add("fault", "CLIENT PAUSE " + fault.millis() + " ALL");
                    redis.command("CLIENT PAUSE " + fault.millis() + " ALL");
                }
                case RESTART -> {
                    timeline.add("fault", "Redis killed (kill -9), down for " + fault.millis() + " ms");
                    redis.kill();
                    sleep(fault.millis());
                    redis.restart();
                    timeline.add("redis", "Redis started again on its append-only file");
                }
                case WEBHOOK -> { }
            }
            injected.add(start + " ms " + describe(fault) + on);
            synchronized (this) {
                busyUntil = start + duration(fault.kind(), fault.millis()) + SETTLE_BETWEEN_FAULTS_MS;
            }
        }
    }

    /** A busy container when there is one (the kill then strikes an invocation), else any. */
    private FleetContainer target(List<FleetContainer> containers) {
        List<FleetContainer> busy = containers.stream().filter(FleetContainer::busy).toList();
        List<FleetContainer> from = busy.isEmpty() ? containers : busy;
        synchronized (this) {
            return from.get(random.nextInt(from.size()));
        }
    }

    private synchronized long busyUntil() {
        return busyUntil;
    }

    /** The receiver's policy: delivery faults, within their budget and one at a time with the timed ones. */
    Receiver.Policy deliveries(Timeline timeline) {
        return container -> {
            synchronized (this) {
                int roll = random.nextInt(100);
                long now = timeline.now();
                boolean free = now >= busyUntil;
                if (faults.contains(Fault.KILL) && roll < 6 && free && deliveryKills < DELIVERY_KILLS) {
                    boolean read = deliveryKills++ % 2 == 1;
                    busyUntil = now + RESTART_MS + SETTLE_BETWEEN_FAULTS_MS;
                    injected.add(now + " ms kill -9 of " + container + " during its delivery, "
                            + (read ? "after the receiver read it" : "before the receiver read it"));
                    return new Receiver.Action.KillSender(read);
                }
                if (faults.contains(Fault.WEBHOOK) && roll >= 90 && refusals < REFUSALS) {
                    refusals++;
                    injected.add(now + " ms webhook 503 to " + container);
                    return new Receiver.Action.Refuse();
                }
                if (faults.contains(Fault.WEBHOOK) && roll >= 84 && roll < 90 && slowAnswers < SLOW_ANSWERS) {
                    long millis = slowAnswers++ % 2 == 0 ? FleetSettings.WEBHOOK_TIMEOUT_MS + 500 : 500;
                    injected.add(now + " ms webhook answers " + container + " after " + millis + " ms");
                    return new Receiver.Action.Slow(millis);
                }
                return new Receiver.Action.Accept();
            }
        };
    }

    List<String> injected() {
        return List.copyOf(injected);
    }

    private static String describe(Planned fault) {
        return switch (fault.kind()) {
            case KILL -> "kill -9 of";
            case TIMEOUT -> "frozen into the function timeout:";
            case PAUSE -> "CLIENT PAUSE " + fault.millis() + " ms";
            case RESTART -> "Redis restart, down " + fault.millis() + " ms";
            case WEBHOOK -> "webhook";
        };
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
