package com.replyguard.bench;

import com.replyguard.fleet.BaselineBuild;
import com.replyguard.fleet.FleetResult;
import com.replyguard.fleet.FleetRun;
import com.replyguard.fleet.FleetSettings;
import com.replyguard.fleet.FleetSettings.Fault;
import com.replyguard.fleet.FleetSettings.Mode;
import com.replyguard.testing.RuntimeClientProcess;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code fleet}: the fleet of real container processes (see {@code com.replyguard.fleet}) over
 * seeds x fault sets x builds, one run after the other, into {@code fleet.md} (the table, then each
 * run's faults, dead letters and the sequence of events of any message lost or doubled) and
 * {@code fleet-ground-truth.csv} (a row per message per run).
 */
final class FleetBench {

    /** The last commit before guard protocol v2: the baseline build. */
    static final String BASELINE_COMMIT = "ad890fd";

    private FleetBench() {
    }

    static void run(String[] args, PrintStream out) throws IOException {
        List<Long> seeds = List.of(1L, 2L, 3L);
        List<String> faultSets = List.of("none", "kills", "pauses", "all");
        List<Mode> modes = List.of(Mode.REPLY_GUARD, Mode.GUARD_OFF, Mode.BASELINE);
        String baseline = BASELINE_COMMIT;
        int containers = 3;
        int conversations = 12;
        int seconds = 20;
        Path dir = Bench.OUT;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--seeds" -> seeds = Arrays.stream(value.split(",")).map(Long::parseLong).toList();
                case "--seed" -> seeds = List.of(Long.parseLong(value));
                case "--faults" -> faultSets = List.of(value.split(","));
                case "--modes" -> modes = Arrays.stream(value.split(",")).map(Mode::parse).toList();
                case "--baseline-commit" -> baseline = value;
                case "--containers" -> containers = Integer.parseInt(value);
                case "--conversations" -> conversations = Integer.parseInt(value);
                case "--traffic-seconds" -> seconds = Integer.parseInt(value);
                case "--out" -> dir = Path.of(value);
                default -> throw new IllegalArgumentException("unknown fleet option " + args[i] + "\n" + usage());
            }
            i++;
        }
        faultSets.forEach(Fault::set); // refuse an unknown set before the first run
        Path current = RuntimeClientProcess.deployable();
        Path old = modes.contains(Mode.BASELINE) ? BaselineBuild.deployable(baseline) : null;
        List<FleetResult> results = new ArrayList<>();
        Files.createDirectories(dir);
        for (long seed : seeds) {
            for (String faults : faultSets) {
                for (Mode mode : modes) {
                    FleetSettings settings = new FleetSettings(mode, seed, Fault.set(faults), containers, conversations, seconds);
                    FleetResult result = FleetRun.run(settings, mode == Mode.BASELINE ? old : current);
                    out.println(result.summary());
                    results.add(result);
                    write(dir, String.join(" ", args), baseline, results);
                }
            }
        }
        out.println("results in " + dir + ": fleet.md, fleet-ground-truth.csv");
    }

    private static void write(Path dir, String args, String baseline, List<FleetResult> results) throws IOException {
        StringBuilder md = new StringBuilder("# Fleet run\n\n");
        md.append("Command: `mvn -q -P bench test-compile exec:exec -Dbench=\"fleet ").append(args).append("\"`\n\n");
        md.append("Machine: ").append(Machine.describe()).append("\n\n");
        md.append("Builds: reply-guard and guard-off are this build (guard on, guard off); baseline is commit ")
                .append(baseline).append(", the protocol before v2.\n\n");
        md.append(FleetResult.header()).append('\n');
        results.forEach(r -> md.append(r.row()).append('\n'));
        md.append("\n## Each run\n\n");
        results.forEach(r -> md.append(r.details()));
        Files.writeString(dir.resolve("fleet.md"), md);
        List<String> csv = new ArrayList<>(List.of(FleetResult.csvHeader()));
        results.forEach(r -> csv.addAll(r.csv()));
        Files.writeString(dir.resolve("fleet-ground-truth.csv"), String.join("\n", csv) + "\n");
    }

    static String usage() {
        return "  fleet [--seeds 1,2,3] [--faults none,kills,pauses,webhook,all] [--modes reply-guard,guard-off,baseline]\n"
                + "        [--baseline-commit " + BASELINE_COMMIT + "] [--containers 3] [--conversations 12] [--traffic-seconds 20] [--out DIR]";
    }
}
