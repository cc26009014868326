package com.replyguard.bench.sim;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Everything one simulator run depends on. "World" durations are what a real deployment sees; the
 * run divides every one of them by {@code timeScale} (the guard TTLs too, through
 * {@code GUARD_TTL_SECONDS} = 60 / scale), so a 60 s window takes 3 s at the default scale of 20.
 * Redis round trips and CPU are not scaled: latencies are reported as measured.
 */
public record SimConfig(long seed, int conversations, int durationWorldSeconds, Map<Kind, Double> shares,
                        int containers, int batchSize, int timeScale, int generatorMs, int visibilityTimeoutWorldSeconds,
                        int maxReceiveCount, long bridgeDelayMaxWorldMs, long rapidGapMinWorldMs, long rapidGapMaxWorldMs,
                        long repeatWithinMinWorldMs, long repeatWithinMaxWorldMs, long repeatAfterMinWorldMs,
                        long repeatAfterMaxWorldMs, List<Mode> modes, boolean monitor, boolean floor, Map<String, String> extraEnv,
                        Path outDir, Path chart, String redisUrl) {

    /** The traffic mix used unless {@code --mix} says otherwise: an assumption, not production data. */
    public static Map<Kind, Double> defaultShares() {
        Map<Kind, Double> shares = new EnumMap<>(Kind.class);
        shares.put(Kind.SINGLE, 0.40);
        shares.put(Kind.BRIDGE, 0.08);
        shares.put(Kind.REDELIVERY, 0.06);
        shares.put(Kind.SLOW, 0.05);
        shares.put(Kind.RAPID, 0.20);
        shares.put(Kind.REPEAT_WITHIN, 0.10);
        shares.put(Kind.REPEAT_AFTER, 0.06);
        shares.put(Kind.NEAR_MISS, 0.05);
        return shares;
    }

    public static SimConfig defaults() {
        return new SimConfig(42, 1000, 600, defaultShares(), 16, 10, 20, 75, 180, 5,
                2_000, 200, 1_000, 5_000, 55_000, 70_000, 150_000,
                List.of(Mode.NONE, Mode.ORIGINAL, Mode.REPLY_GUARD), true, true, Map.of(),
                Path.of("target", "bench"), null, null);
    }

    public SimConfig {
        if (60 % timeScale != 0) {
            throw new IllegalArgumentException("--time-scale must divide 60 (GUARD_TTL_SECONDS = 60 / scale is whole seconds): "
                    + timeScale);
        }
        double total = shares.values().stream().mapToDouble(Double::doubleValue).sum();
        if (total <= 0) {
            throw new IllegalArgumentException("--mix: the shares add up to nothing");
        }
        Map<Kind, Double> normalised = new EnumMap<>(Kind.class);
        shares.forEach((k, v) -> normalised.put(k, v / total));
        shares = Collections.unmodifiableMap(normalised);
        modes = List.copyOf(modes);
        extraEnv = Map.copyOf(extraEnv);
    }

    public int guardTtlSeconds() {
        return 60 / timeScale;
    }

    public int answeredTtlSeconds() {
        return 3600 / timeScale;
    }

    /** A world duration in real nanoseconds. */
    public long realNanos(long worldMs) {
        return worldMs * 1_000_000L / timeScale;
    }

    /** One kind per conversation, in the configured proportions (rounded), in a seeded random order. */
    List<Kind> kindsFor(Random random) {
        List<Kind> kinds = new ArrayList<>();
        Map<Kind, Double> remainders = new LinkedHashMap<>();
        for (Map.Entry<Kind, Double> share : shares.entrySet()) {
            double exact = share.getValue() * conversations;
            int whole = (int) Math.floor(exact);
            for (int i = 0; i < whole; i++) {
                kinds.add(share.getKey());
            }
            remainders.put(share.getKey(), exact - whole);
        }
        List<Map.Entry<Kind, Double>> byRemainder = new ArrayList<>(remainders.entrySet());
        byRemainder.sort(Map.Entry.<Kind, Double>comparingByValue().reversed());
        for (int i = 0; kinds.size() < conversations; i++) {
            kinds.add(byRemainder.get(i % byRemainder.size()).getKey());
        }
        Collections.shuffle(kinds, random);
        return kinds;
    }

    public static SimConfig parse(String[] args) {
        SimConfig c = defaults();
        long seed = c.seed;
        int conversations = c.conversations;
        int duration = c.durationWorldSeconds;
        Map<Kind, Double> shares = new EnumMap<>(c.shares);
        int containers = c.containers;
        int batch = c.batchSize;
        int scale = c.timeScale;
        int generator = c.generatorMs;
        int visibility = c.visibilityTimeoutWorldSeconds;
        List<Mode> modes = c.modes;
        boolean monitor = c.monitor;
        boolean floor = c.floor;
        Map<String, String> extraEnv = new LinkedHashMap<>();
        Path out = c.outDir;
        Path chart = null;
        String redisUrl = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--conversations" -> conversations = Integer.parseInt(args[++i]);
                case "--duration" -> duration = Integer.parseInt(args[++i]);
                case "--mix" -> shares = parseMix(args[++i]);
                case "--containers" -> containers = Integer.parseInt(args[++i]);
                case "--batch-size" -> batch = Integer.parseInt(args[++i]);
                case "--time-scale" -> scale = Integer.parseInt(args[++i]);
                case "--generator-ms" -> generator = Integer.parseInt(args[++i]);
                case "--visibility-timeout" -> visibility = Integer.parseInt(args[++i]);
                case "--modes" -> modes = List.of(args[++i].split(",")).stream().map(Mode::of).toList();
                case "--no-monitor" -> monitor = false;
                case "--no-floor" -> floor = false;
                case "--env" -> {
                    String[] kv = args[++i].split("=", 2);
                    extraEnv.put(kv[0], kv.length > 1 ? kv[1] : "");
                }
                case "--out" -> out = Path.of(args[++i]);
                case "--chart" -> chart = Path.of(args[++i]);
                case "--redis-url" -> redisUrl = args[++i];
                default -> throw new IllegalArgumentException("unknown simulator argument " + arg + "\n" + usage());
            }
        }
        return new SimConfig(seed, conversations, duration, shares, containers, batch, scale, generator, visibility,
                c.maxReceiveCount, c.bridgeDelayMaxWorldMs, c.rapidGapMinWorldMs, c.rapidGapMaxWorldMs,
                c.repeatWithinMinWorldMs, c.repeatWithinMaxWorldMs, c.repeatAfterMinWorldMs, c.repeatAfterMaxWorldMs,
                modes, monitor, floor, extraEnv, out, chart, redisUrl);
    }

    private static Map<Kind, Double> parseMix(String text) {
        Map<Kind, Double> shares = new EnumMap<>(Kind.class);
        for (String part : text.split(",")) {
            String[] kv = part.split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("--mix expects kind=share,…, got " + part);
            }
            shares.put(Kind.of(kv[0].trim()), Double.parseDouble(kv[1].trim()));
        }
        return shares;
    }

    public static String usage() {
        StringBuilder kinds = new StringBuilder();
        defaultShares().forEach((k, v) -> kinds.append(String.format(Locale.ROOT, "%s=%.2f,", k.key, v)));
        return """
                simulate [options]
                  --seed N                traffic seed (42)
                  --conversations N       conversations (matches) in the run (1000)
                  --duration S            world seconds over which conversations start (600)
                  --mix k=share,…         traffic mix; kinds and default shares: %s
                  --containers N          simulated Lambda containers (16)
                  --batch-size N          SQS batch size (10)
                  --time-scale N          world time / real time, divides 60 (20: GUARD_TTL_SECONDS=3)
                  --generator-ms N        scripted generator latency, real ms (75 = 1.5 s world)
                  --visibility-timeout S  queue visibility timeout, world seconds (180)
                  --modes a,b             among none,original,reply-guard (all three)
                  --env K=V               extra environment for the reply-guard containers (repeatable)
                  --no-monitor            do not count Redis commands with MONITOR
                  --no-floor              do not measure the idle round-trip floor (PING after 20 ms idle)
                  --out DIR               results directory (target/bench)
                  --chart FILE            SVG chart (DIR/simulation.svg)
                  --redis-url URL         use this Redis instead of the embedded one
                """.formatted(kinds.substring(0, kinds.length() - 1));
    }
}
