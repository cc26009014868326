package com.replyguard.bench;

import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the JMH benchmarks of {@code com.replyguard.bench.jmh} (forked JVMs, one local Redis for
 * all of them) and turns the guard's round trips into ratios to the floor.
 */
public final class JmhBenchmarks {

    private static final Pattern ROUND_TRIPS = Pattern.compile("path(\\d)");

    private JmhBenchmarks() {
    }

    public static String run(String[] args, Path outDir, PrintStream out) throws RunnerException, IOException {
        String include = "com\\.replyguard\\.bench\\.jmh\\..*";
        String redisUrl = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--include" -> include = args[++i];
                case "--redis-url" -> redisUrl = args[++i];
                default -> throw new IllegalArgumentException("jmh [--include REGEX] [--redis-url URL], got " + args[i]);
            }
        }
        String markdown;
        String loadBefore = Load.now();
        try (LocalRedis redis = LocalRedis.start(redisUrl)) {
            ChainedOptionsBuilder options = new OptionsBuilder().include(include)
                    .jvmArgsAppend("-Dbench.redis.url=" + redis.url());
            Collection<RunResult> results = new Runner(options.build()).run();
            markdown = "Machine: " + Machine.describe() + "; load average before: " + loadBefore + ", after: " + Load.now() + "; "
                    + redis.describe() + ".\n\n" + table(results);
        }
        Files.createDirectories(outDir);
        Path file = outDir.resolve("jmh.md");
        Files.writeString(file, markdown, StandardCharsets.UTF_8);
        out.println(markdown);
        out.println("written: " + file);
        return markdown;
    }

    static String table(Collection<RunResult> results) {
        List<RunResult> sorted = new ArrayList<>(results);
        sorted.sort(Comparator.comparing(r -> r.getParams().getBenchmark()));
        StringBuilder md = new StringBuilder();
        Map<String, Double> p50 = new TreeMap<>();
        for (RunResult r : sorted) {
            if (r.getParams().getBenchmark().contains("GuardRoundTrip")) {
                p50.put(method(r), r.getPrimaryResult().getStatistics().getPercentile(50));
            }
        }
        if (!p50.isEmpty()) {
            double floor = p50.getOrDefault("floorEvalshaEmptyScript", Double.NaN);
            md.append("Guard round trips on a local Redis, one thread, sample time (µs):\n\n");
            md.append("| path | round trips | p50 | p90 | p99 | mean | p50 ÷ (round trips × EVALSHA floor p50) |\n");
            md.append("|---|---:|---:|---:|---:|---:|---:|\n");
            for (RunResult r : sorted) {
                if (!r.getParams().getBenchmark().contains("GuardRoundTrip")) {
                    continue;
                }
                String method = method(r);
                Result<?> primary = r.getPrimaryResult();
                Matcher m = ROUND_TRIPS.matcher(method);
                int trips = m.find() ? Integer.parseInt(m.group(1)) : 1;
                double median = primary.getStatistics().getPercentile(50);
                md.append(String.format(Locale.ROOT, "| `%s` | %d | %.1f | %.1f | %.1f | %.1f | %s |%n", method, trips,
                        median, primary.getStatistics().getPercentile(90), primary.getStatistics().getPercentile(99),
                        primary.getStatistics().getMean(),
                        method.startsWith("floor") ? "(floor)" : String.format(Locale.ROOT, "%.2f", median / (trips * floor))));
            }
            md.append("\n");
        }
        boolean header = false;
        for (RunResult r : sorted) {
            if (!r.getParams().getBenchmark().contains("Similarity")) {
                continue;
            }
            if (!header) {
                md.append("Similarity, one score (average time, µs/op, ± 99.9 % confidence):\n\n");
                md.append("| method | text | µs/op | ± |\n|---|---|---:|---:|\n");
                header = true;
            }
            Result<?> primary = r.getPrimaryResult();
            md.append(String.format(Locale.ROOT, "| `%s` | %s | %.3f | %.3f |%n", method(r), r.getParams().getParam("length"),
                    primary.getScore(), primary.getScoreError()));
        }
        return md.toString();
    }

    private static String method(RunResult r) {
        String benchmark = r.getParams().getBenchmark();
        return benchmark.substring(benchmark.lastIndexOf('.') + 1);
    }
}
