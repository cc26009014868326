package com.replyguard.bench;

import com.replyguard.testing.LoopbackRuntimeApi;
import com.replyguard.testing.RuntimeClientProcess;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Cold start as Lambda runs the function: the deployable under the real Lambda Java Runtime
 * Interface Client (a JVM of its own, behind a loopback Runtime API; see {@link RuntimeClientProcess}),
 * with the template's {@code JAVA_TOOL_OPTIONS}. For each run: JVM launch → the client's first
 * {@code /invocation/next} (init), then {@code events/one-message.json} → its response (first
 * invocation), for the guard off and on; and with SnapStart, {@code /restore/next} → the first
 * response ({@code afterRestore} plus the first invocation; Lambda's own restore time is not in it).
 */
public final class RuntimeClientColdStart {

    private static final String TOOL_OPTIONS = "-XX:+TieredCompilation -XX:TieredStopAtLevel=1";

    private RuntimeClientColdStart() {
    }

    /** One run's figures, in ms. */
    private record Run(double init, double firstInvocation, double total) {
    }

    public static String run(String[] args, Path outDir, PrintStream out) throws Exception {
        ColdStart.Options options = ColdStart.Options.parse("coldstart-ric", args);
        int runs = options.runs();
        String redisUrl = options.redisUrl();
        String event = Files.readString(Path.of("events", "one-message.json"));
        StringBuilder md = new StringBuilder();
        String loadBefore = Load.now();
        try (LocalRedis redis = LocalRedis.start(redisUrl)) {
            md.append("Machine: ").append(Machine.describe()).append("; load average before: ").append(loadBefore)
                    .append("; ").append(redis.describe()).append(".\n\n");
            md.append(String.format(Locale.ROOT, "Under the Lambda runtime interface client (`%s`), `JAVA_TOOL_OPTIONS=%s`, "
                    + "event `events/one-message.json`, scripted generator with no latency, stdout sink; %d runs each, "
                    + "median (min–max), Redis flushed before each run:%n%n",
                    Path.of(RuntimeClientProcess.clientClassPath().split(java.io.File.pathSeparator)[0]).getFileName(),
                    TOOL_OPTIONS, runs));
            md.append("| run | JVM launch → init done | first invocation | JVM launch → first response |\n|---|---:|---:|---:|\n");
            List<Run> off = new ArrayList<>();
            List<Run> on = new ArrayList<>();
            List<Run> snap = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                redis.flushAll();
                off.add(once(env(redis.url(), false), event, false));
                redis.flushAll();
                on.add(once(env(redis.url(), true), event, false));
                redis.flushAll();
                snap.add(once(env(redis.url(), true), event, true));
            }
            md.append(row("guard off (`GUARD_ENABLED=false`), on-demand init", off));
            md.append(row("guard on, on-demand init", on));
            md.append(String.format(Locale.ROOT, "%nGuard on minus guard off, first invocation: **%+.0f ms** (median); "
                    + "JVM launch → first response: %+.0f ms.%n", median(on, Run::firstInvocation) - median(off, Run::firstInvocation),
                    median(on, Run::total) - median(off, Run::total)));
            md.append(String.format(Locale.ROOT, "%nSnapStart (`AWS_LAMBDA_INITIALIZATION_TYPE=snap-start`: the client runs "
                            + "`beforeCheckpoint` with its priming, asks `/restore/next`, then `afterRestore` reconnects Redis): "
                            + "`/restore/next` → first response **%.0f ms** median (%.0f–%.0f), guard on. Here the JVM is not "
                            + "checkpointed, so its classes stay warm as in a restored snapshot; Lambda's own restore time "
                            + "is not included.%n", median(snap, Run::firstInvocation),
                    snap.stream().mapToDouble(Run::firstInvocation).min().orElse(0),
                    snap.stream().mapToDouble(Run::firstInvocation).max().orElse(0)));
            out.println("off " + off + "\non " + on + "\nsnap " + snap);
        }
        md.append("\nLoad average after: ").append(Load.now()).append(".\n");
        Files.createDirectories(outDir);
        Path file = outDir.resolve("coldstart-runtime-client.md");
        Files.writeString(file, md.toString(), StandardCharsets.UTF_8);
        out.println(md);
        out.println("written: " + file);
        return md.toString();
    }

    private static Map<String, String> env(String redisUrl, boolean guard) {
        Map<String, String> env = new HashMap<>();
        env.put("JAVA_TOOL_OPTIONS", TOOL_OPTIONS);
        env.put("GUARD_ENABLED", Boolean.toString(guard));
        if (guard) {
            env.put("REDIS_URL", redisUrl);
        }
        env.put("GENERATOR", "scripted");
        env.put("REPLY_SINK", "stdout");
        env.put("FUNCTION_TIMEOUT_SECONDS", "30");
        env.put("JOBS_VISIBILITY_TIMEOUT_SECONDS", "180");
        return env;
    }

    /**
     * One container: launch, wait for init (SnapStart: for {@code /restore/next}), invoke once.
     * With SnapStart the first invocation is timed from the restore request.
     */
    private static Run once(Map<String, String> env, String event, boolean snapStart) {
        try (LoopbackRuntimeApi api = LoopbackRuntimeApi.start()) {
            long launch = System.nanoTime();
            try (RuntimeClientProcess container = RuntimeClientProcess.start(api, snapStart, env)) {
                if (!api.awaitFirstPoll(Duration.ofSeconds(60))) {
                    throw new IllegalStateException("no init: " + container.stderr());
                }
                long polled = System.nanoTime();
                long from = snapStart ? api.restoreRequestedAt() : polled;
                LoopbackRuntimeApi.Result result = api.invokeAndWait(event, Duration.ofSeconds(30));
                long done = System.nanoTime();
                if (!result.succeeded() || !result.body().contains("batchItemFailures")) {
                    throw new IllegalStateException("invocation failed: " + result + " " + container.stdout());
                }
                if (container.stdout().stream().anyMatch(l -> l.contains("GUARD_BYPASSED"))) {
                    throw new IllegalStateException("the guard was bypassed: " + container.stdout());
                }
                return new Run((polled - launch) / 1e6, (done - from) / 1e6, (done - launch) / 1e6);
            }
        }
    }

    private static String row(String label, List<Run> runs) {
        return String.format(Locale.ROOT, "| %s | %s | %s | **%s** |%n", label, cell(runs, Run::init),
                cell(runs, Run::firstInvocation), cell(runs, Run::total));
    }

    private static String cell(List<Run> runs, java.util.function.ToDoubleFunction<Run> figure) {
        List<Double> values = runs.stream().map(figure::applyAsDouble).sorted().toList();
        return String.format(Locale.ROOT, "%.0f ms (%.0f–%.0f)", median(runs, figure), values.getFirst(), values.getLast());
    }

    private static double median(List<Run> runs, java.util.function.ToDoubleFunction<Run> figure) {
        return ColdStart.median(runs.stream().map(figure::applyAsDouble).toList());
    }
}
