package com.replyguard.fleet;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * One fleet run: which build, which seed, which faults, how much traffic. The deployment is the
 * template's at a smaller time scale, so that a run takes seconds: a 3 s function timeout, an 18 s
 * visibility timeout (6 x, as the template requires), a 4 s similarity window and 5 receives
 * before the dead-letter queue.
 */
public record FleetSettings(Mode mode, long seed, Set<Fault> faults, int containers, int conversations,
                            int trafficSeconds) {

    /** What runs in the containers. */
    public enum Mode {
        /** This build, guard on. */
        REPLY_GUARD,
        /** This build, {@code GUARD_ENABLED=false}: what the faults and the traffic do with no guard. */
        GUARD_OFF,
        /** An earlier commit's build (the protocol before v2), guard on. */
        BASELINE;

        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        public static Mode parse(String label) {
            return valueOf(label.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        }
    }

    /** The kinds of fault a run may inject, one at a time. */
    public enum Fault {
        /** {@code kill -9} of a container at a random moment, and while its delivery is in flight. */
        KILL,
        /** A container frozen until the function timeout, when Lambda kills it. */
        TIMEOUT,
        /** {@code CLIENT PAUSE} longer than the command timeout: commands time out, then run. */
        PAUSE,
        /** Redis killed and started again on its append-only file. */
        RESTART,
        /** The webhook answers 5xx, or answers past the sink's timeout. */
        WEBHOOK;

        /** {@code none}, {@code kills} (kill + timeout), {@code pauses} (pause + restart), {@code webhook}, {@code all}. */
        public static Set<Fault> set(String name) {
            return switch (name.trim()) {
                case "none" -> EnumSet.noneOf(Fault.class);
                case "kills" -> EnumSet.of(KILL, TIMEOUT);
                case "pauses" -> EnumSet.of(PAUSE, RESTART);
                case "webhook" -> EnumSet.of(WEBHOOK);
                case "all" -> EnumSet.allOf(Fault.class);
                default -> throw new IllegalArgumentException("unknown fault set '" + name
                        + "': none, kills, pauses, webhook or all");
            };
        }

        public static String name(Set<Fault> faults) {
            for (String name : new String[] {"none", "kills", "pauses", "webhook", "all"}) {
                if (set(name).equals(faults)) {
                    return name;
                }
            }
            return faults.toString();
        }
    }

    public static final int FUNCTION_TIMEOUT_SECONDS = 3;
    public static final int VISIBILITY_TIMEOUT_SECONDS = 6 * FUNCTION_TIMEOUT_SECONDS;
    public static final int GUARD_TTL_SECONDS = 4;
    public static final int MAX_RECEIVE_COUNT = 5;
    public static final int BATCH_SIZE = 10;
    public static final int GENERATOR_DELAY_MS = 300;
    public static final int WEBHOOK_TIMEOUT_MS = 1_000;
    /** The one retry of an ambiguous Redis command, scaled with the function timeout (2 s of the template's 30 s). */
    public static final int REDIS_RETRY_TIMEOUT_MS = 1_200;

    public FleetSettings {
        faults = faults.isEmpty() ? EnumSet.noneOf(Fault.class) : EnumSet.copyOf(faults);
    }

    public int functionTimeoutSeconds() {
        return FUNCTION_TIMEOUT_SECONDS;
    }

    public int batchSize() {
        return BATCH_SIZE;
    }

    public String faultsName() {
        return Fault.name(faults);
    }
}
