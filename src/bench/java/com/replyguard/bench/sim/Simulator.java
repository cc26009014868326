package com.replyguard.bench.sim;

import com.replyguard.bench.IdleRoundTrip;
import com.replyguard.bench.LocalRedis;
import com.replyguard.bench.Load;
import com.replyguard.bench.Machine;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;

/**
 * The traffic simulator: the same seeded traffic through the three modes, one after the other, on
 * one real Redis; prints and writes the original design's table side by side, and an SVG chart.
 *
 * <pre>
 * mvn -q -P bench test-compile exec:exec -Dbench="simulate --conversations 1000 --seed 42"
 * </pre>
 */
public final class Simulator {

    /** What a run produced. */
    public record Result(Traffic traffic, List<Figures> figures, String markdown, Path markdownFile, Path chartFile) {
    }

    private Simulator() {
    }

    public static void main(String[] args) {
        run(SimConfig.parse(args), String.join(" ", args), System.out);
        System.exit(0); // the Redis clients' threads would keep the JVM up
    }

    /**
     * One row per user message: its kind, its unit, what the right outcome was, and how many delivered
     * replies answered it in each mode — the raw material of every figure, for inspection.
     */
    static String groundTruth(Traffic traffic, List<Simulation.ModeRun> runs) {
        List<Map<String, Integer>> answered = new ArrayList<>();
        for (Simulation.ModeRun run : runs) {
            Map<String, Integer> count = new HashMap<>();
            run.replies().forEach(r -> r.inReplyTo().forEach(id -> count.merge(id, 1, Integer::sum)));
            answered.add(count);
        }
        StringBuilder csv = new StringBuilder("matchId,messageId,kind,unit,expected,sentAtWorldMs");
        runs.forEach(r -> csv.append(",replies_").append(r.mode().key));
        csv.append(",text\n");
        for (Traffic.Conversation c : traffic.conversations()) {
            for (Traffic.UserMessage m : c.messages()) {
                boolean ownUnit = m.unit().equals(m.messageId());
                csv.append(c.matchId()).append(',').append(m.messageId()).append(',').append(c.kind().key).append(',')
                        .append(m.unit()).append(',')
                        .append(ownUnit ? "answered once" : "not on its own (repeat of " + m.unit() + ")").append(',')
                        .append(m.atWorldMs());
                answered.forEach(a -> csv.append(',').append(a.getOrDefault(m.messageId(), 0)));
                csv.append(",\"").append(m.text().replace("\"", "\"\"")).append("\"\n");
            }
        }
        return csv.toString();
    }

    public static Result run(SimConfig config, String commandLine, PrintStream out) {
        Corpus corpus = Corpus.load();
        Traffic traffic = Traffic.generate(config, corpus);
        out.printf(Locale.ROOT, "traffic: %d conversations %s, %d units, %d SQS deliveries; corpus %s%n",
                traffic.conversations().size(), traffic.conversationsByKind(), traffic.units().size(),
                traffic.deliveries().size(), corpus);
        String loadBefore = Load.now();
        try {
            Files.createDirectories(config.outDir());
            Path rules = config.outDir().resolve("sim-rules.json").toAbsolutePath();
            Files.writeString(rules, corpus.rulesJson(), StandardCharsets.UTF_8);
            List<Figures> figures = new ArrayList<>();
            List<Simulation.ModeRun> runs = new ArrayList<>();
            String redisDescription;
            String floor = "";
            try (LocalRedis redis = LocalRedis.start(config.redisUrl())) {
                redisDescription = redis.describe();
                IdleRoundTrip.Floor before = config.floor() ? IdleRoundTrip.measure(redis.url(), 200) : null;
                for (Mode mode : config.modes()) {
                    redis.flushAll();
                    long start = System.nanoTime();
                    Simulation.ModeRun run = Simulation.run(mode, config, traffic, redis.url(), rules);
                    Figures f = Figures.compute(traffic, config, run);
                    runs.add(run);
                    figures.add(f);
                    out.printf(Locale.ROOT, "mode %-12s done in %.1f s: %d records, %d replies%n", mode.key,
                            (System.nanoTime() - start) / 1e9, f.jobs(), f.replies());
                }
                if (before != null) {
                    floor = "The round-trip floor these latencies sit on, measured on the same Redis: one `PING` after the "
                            + "client sat idle 20 ms, from a virtual thread — before the modes: " + before + "; after: "
                            + IdleRoundTrip.measure(redis.url(), 200) + ".\n\n";
                }
            }
            String command = "mvn -q -P bench test-compile exec:exec -Dbench=\"simulate"
                    + (commandLine.isBlank() ? "" : " " + commandLine) + "\"";
            String markdown = "Machine: " + Machine.describe() + "; " + redisDescription + "; load average before: "
                    + loadBefore + ", after: " + Load.now() + ".\n\n" + floor + Report.markdown(config, traffic, figures, command);
            Path truth = config.outDir().resolve("ground-truth.csv");
            Files.writeString(truth, groundTruth(traffic, runs), StandardCharsets.UTF_8);
            Path md = config.outDir().resolve("simulation.md");
            Files.writeString(md, markdown, StandardCharsets.UTF_8);
            Path chart = config.chart() != null ? config.chart() : config.outDir().resolve("simulation.svg");
            if (chart.getParent() != null) {
                Files.createDirectories(chart.getParent());
            }
            Files.writeString(chart, Report.svg(config, figures), StandardCharsets.UTF_8);
            out.println();
            out.println(Report.summary(figures));
            out.println();
            out.println(markdown);
            out.println("written: " + md + ", " + chart + ", " + truth);
            return new Result(traffic, figures, markdown, md, chart);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
