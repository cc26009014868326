package com.replyguard.bench.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.function.Function;

/** The simulator's results as Markdown tables (the original design's table, side by side) and an SVG chart. */
public final class Report {

    private Report() {
    }

    public static String markdown(SimConfig config, Traffic traffic, List<Figures> figures, String command) {
        StringBuilder md = new StringBuilder();
        md.append("Command: `").append(command).append("`\n\n");
        md.append(String.format(Locale.ROOT, "Traffic: seed %d, %d conversations over %d world seconds, %d user messages "
                        + "(%d units to answer), %d SQS deliveries; %d containers, batch size %d; scripted generator %d ms "
                        + "(time scale 1:%d: %.1f s world), GUARD_TTL_SECONDS=%d (60 s world), visibility timeout %d s world.%n%n",
                config.seed(), config.conversations(), config.durationWorldSeconds(),
                traffic.conversations().stream().mapToInt(c -> c.messages().size()).sum(), traffic.units().size(),
                traffic.deliveries().size(), config.containers(), config.batchSize(), config.generatorMs(),
                config.timeScale(), config.generatorMs() * config.timeScale() / 1000.0, config.guardTtlSeconds(),
                config.visibilityTimeoutWorldSeconds()));
        if (!config.extraEnv().isEmpty()) {
            md.append("Extra environment of the reply-guard containers: `").append(config.extraEnv()).append("`\n\n");
        }

        md.append("| figure | original design's promise | ");
        figures.forEach(f -> md.append(header(f.mode())).append(" | "));
        md.append("\n|---|---|");
        figures.forEach(f -> md.append("---|"));
        md.append("\n");
        row(md, "duplicate replies (% of user messages answered more than once)", "15–25 % → < 1 %", figures,
                f -> String.format(Locale.ROOT, "**%.2f %%** (%d / %d)", f.duplicatePercent(), f.duplicateUnits(), f.units()));
        row(md, "replies per rapid sequence (mean; sequences answered by exactly one reply)", "2–3 → 1", figures,
                f -> String.format(Locale.ROOT, "**%.2f** (%d / %d)", f.repliesPerRapidSequence(), f.rapidSingleReply(),
                        f.rapidSequences()));
        row(md, "jobs skipped (% of SQS records processed)", "30–40 %", figures,
                f -> String.format(Locale.ROOT, "**%.1f %%** (%d / %d)", f.skippedPercent(), f.skippedJobs(), f.jobs()));
        row(md, "messages never answered (% of user messages)", "— (not measured)", figures,
                f -> String.format(Locale.ROOT, "**%.2f %%** (%d / %d)", f.lostPercent(), f.lostUnits(), f.units()));
        row(md, "added latency per job, p50 / p99 (time waiting on Redis)", "< 10 ms", figures,
                f -> f.mode() == Mode.NONE ? "0 (no guard)"
                        : String.format(Locale.ROOT, "**%s / %s ms**", ms(f.guardP50Ms()), ms(f.guardP99Ms())));
        row(md, "Redis commands per job (client round trips)", "6 on the reply path", figures,
                f -> f.redisCommandsPerJob() < 0 ? "not counted"
                        : String.format(Locale.ROOT, "**%.2f**", f.redisCommandsPerJob()));
        row(md, "LLM calls per user message", "—", figures,
                f -> String.format(Locale.ROOT, "%.2f (%d)", (double) f.generations() / f.units(), f.generations()));
        row(md, "replies delivered per user message", "—", figures,
                f -> String.format(Locale.ROOT, "%.2f (%d)", (double) f.replies() / f.units(), f.replies()));
        row(md, "time from message to its first reply, p50 / p99 (real ms, scaled run)", "—", figures,
                f -> String.format(Locale.ROOT, "%.0f / %.0f ms", f.replyDelayP50Ms(), f.replyDelayP99Ms()));
        row(md, "records retried / dead-lettered", "—", figures,
                f -> f.retried() + " / " + f.deadLettered() + (f.containerErrors() > 0 ? " (" + f.containerErrors() + " handler errors)" : ""));

        md.append("\nBy kind of traffic — duplicate replies / never answered (units):\n\n| kind | units | ");
        figures.forEach(f -> md.append(header(f.mode())).append(" | "));
        md.append("\n|---|---|");
        figures.forEach(f -> md.append("---|"));
        md.append("\n");
        for (Kind kind : Kind.values()) {
            Figures.KindFigures any = figures.getFirst().byKind().get(kind);
            if (any == null) {
                continue;
            }
            md.append("| ").append(kind.description).append(" | ").append(any.units()).append(" | ");
            for (Figures f : figures) {
                Figures.KindFigures k = f.byKind().get(kind);
                md.append(k.duplicates()).append(" dup / ").append(k.lost()).append(" lost | ");
            }
            md.append("\n");
        }

        md.append("\nOutcomes of the SQS records processed:\n\n| outcome | ");
        figures.forEach(f -> md.append(header(f.mode())).append(" | "));
        md.append("\n|---|");
        figures.forEach(f -> md.append("---:|"));
        md.append("\n");
        TreeSet<String> outcomes = new TreeSet<>();
        figures.forEach(f -> outcomes.addAll(f.outcomes().keySet()));
        for (String outcome : outcomes) {
            md.append("| `").append(outcome).append("` | ");
            figures.forEach(f -> md.append(f.outcomes().getOrDefault(outcome, 0)).append(" | "));
            md.append("\n");
        }

        md.append("\nReplies per rapid sequence (histogram, replies: sequences):\n\n");
        figures.forEach(f -> md.append("- ").append(f.mode().label).append(": ").append(f.rapidHistogram()).append("\n"));
        md.append("\nRedis client commands counted by MONITOR, by name:\n\n");
        figures.forEach(f -> md.append("- ").append(f.mode().label).append(": ")
                .append(f.redisCommands() == null ? "not counted" : f.redisCommands().isEmpty() ? "none" : f.redisCommands().toString())
                .append("\n"));
        return md.toString();
    }

    private static String header(Mode mode) {
        return switch (mode) {
            case NONE -> "before: no guard";
            case ORIGINAL -> "original design (re-implemented)";
            case REPLY_GUARD -> "reply-guard";
        };
    }

    private static void row(StringBuilder md, String name, String promise, List<Figures> figures, Function<Figures, String> cell) {
        md.append("| ").append(name).append(" | ").append(promise).append(" | ");
        figures.forEach(f -> md.append(cell.apply(f)).append(" | "));
        md.append("\n");
    }

    private static String ms(double millis) {
        return millis < 10 ? String.format(Locale.ROOT, "%.2f", millis) : String.format(Locale.ROOT, "%.0f", millis);
    }

    /** Grouped bars: duplicate replies and messages never answered (% of user messages), one bar per mode. */
    public static String svg(SimConfig config, List<Figures> figures) {
        int width = 720;
        int height = 400;
        int left = 70;
        int right = 20;
        int top = 60;
        int bottom = 80;
        double max = 0;
        for (Figures f : figures) {
            max = Math.max(max, Math.max(f.duplicatePercent(), f.lostPercent()));
        }
        double axisMax = Math.max(5, Math.ceil(max / 5) * 5);
        int plotH = height - top - bottom;
        int plotW = width - left - right;
        String[] colours = {"#8c8c8c", "#e69f00", "#0072b2"};
        List<String> groups = List.of("duplicate replies", "messages never answered");
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                + "font-family=\"Helvetica, Arial, sans-serif\" font-size=\"13\">%n", width, height, width, height));
        s.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"24\" font-size=\"16\" font-weight=\"bold\">Duplicate replies and lost "
                + "messages, %% of user messages</text>%n", left));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"44\" fill=\"#555\">simulator, seed %d, %d conversations, %d containers, "
                + "same traffic for each mode</text>%n", left, config.seed(), config.conversations(), config.containers()));
        for (double tick = 0; tick <= axisMax + 1e-9; tick += axisMax / 5) {
            double y = top + plotH - tick / axisMax * plotH;
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n", left, y, width - right, y));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#555\">%.0f %%</text>%n", left - 8, y + 4, tick));
        }
        int groupW = plotW / groups.size();
        int barW = Math.min(60, (groupW - 60) / figures.size());
        for (int g = 0; g < groups.size(); g++) {
            int groupX = left + g * groupW + (groupW - barW * figures.size()) / 2;
            for (int m = 0; m < figures.size(); m++) {
                Figures f = figures.get(m);
                double value = g == 0 ? f.duplicatePercent() : f.lostPercent();
                double h = value / axisMax * plotH;
                int x = groupX + m * barW;
                String colour = colours[f.mode().ordinal()];
                s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\"/>%n",
                        x + 4, top + plotH - h, barW - 8, Math.max(h, 0.5), colour));
                s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"middle\">%.1f %%</text>%n",
                        x + barW / 2, top + plotH - h - 6, value));
            }
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-weight=\"bold\">%s</text>%n",
                    left + g * groupW + groupW / 2, top + plotH + 22, groups.get(g)));
        }
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>%n",
                left, top + plotH, width - right, top + plotH));
        int legendX = left;
        for (Figures f : figures) {
            String label = f.mode().label;
            s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" fill=\"%s\"/>%n",
                    legendX, height - 30, colours[f.mode().ordinal()]));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", legendX + 20, height - 18, escape(label)));
            legendX += 40 + label.length() * 8;
        }
        s.append("</svg>\n");
        return s.toString();
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** One line per mode for the console. */
    public static String summary(List<Figures> figures) {
        List<String> lines = new ArrayList<>();
        for (Figures f : figures) {
            lines.add(String.format(Locale.ROOT,
                    "%-16s duplicates %6.2f %%  never answered %6.2f %%  replies/rapid seq %.2f  skipped %5.1f %%  "
                            + "guard p50/p99 %s/%s ms  redis cmds/job %s",
                    f.mode().key, f.duplicatePercent(), f.lostPercent(), f.repliesPerRapidSequence(), f.skippedPercent(),
                    ms(f.guardP50Ms()), ms(f.guardP99Ms()),
                    f.redisCommandsPerJob() < 0 ? "-" : String.format(Locale.ROOT, "%.2f", f.redisCommandsPerJob())));
        }
        return String.join("\n", lines);
    }

}
