package com.replyguard.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Cold start — from launching a JVM to the first reply printed by the stdout sink, median of several
 * runs — on the deployable's classpath ({@code target/classes} and the runtime-scope jars that
 * {@code sam build} would package, copied to {@code target/deployable/lib} by the {@code bench}
 * profile), plus the Lambda runtime's event serialiser. And the deployable's size, zipped as
 * {@code sam build} lays it out (classes at the root, jars in {@code lib/}).
 */
public final class ColdStart {

    private ColdStart() {
    }

    /** The options of both cold-start modes: how many runs, and a Redis of one's own. */
    record Options(int runs, String redisUrl) {
        static Options parse(String mode, String[] args) {
            int runs = 7;
            String redisUrl = null;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--runs" -> runs = Integer.parseInt(args[++i]);
                    case "--redis-url" -> redisUrl = args[++i];
                    default -> throw new IllegalArgumentException(mode + " [--runs N] [--redis-url URL], got " + args[i]);
                }
            }
            return new Options(runs, redisUrl);
        }
    }

    public static String run(String[] args, Path outDir, PrintStream out) throws Exception {
        Options parsed = Options.parse("coldstart", args);
        int runs = parsed.runs();
        String redisUrl = parsed.redisUrl();
        Path classes = Path.of("target", "classes");
        Path lib = Path.of("target", "deployable", "lib");
        if (!Files.isDirectory(lib)) {
            throw new IllegalStateException(lib + " is missing: run through the bench profile "
                    + "(mvn -q -P bench test-compile exec:exec -Dbench=coldstart), which copies the runtime jars there");
        }
        List<Path> jars;
        try (Stream<Path> files = Files.list(lib)) {
            jars = files.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
        }
        List<String> classpath = new ArrayList<>();
        classpath.add(classes.toAbsolutePath().toString());
        jars.forEach(j -> classpath.add(j.toAbsolutePath().toString()));
        // what the Lambda runtime brings: its event serialiser (the Joda-Time it needs is in the deployable)
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (entry.contains("aws-lambda-java-serialization")) {
                classpath.add(entry);
            }
        }
        classpath.add(Path.of("target", "test-classes").toAbsolutePath().toString()); // ColdStartMain only

        StringBuilder md = new StringBuilder();
        String loadBefore = Load.now();
        try (LocalRedis redis = LocalRedis.start(redisUrl)) {
            md.append("Machine: ").append(Machine.describe()).append("; load average before: ").append(loadBefore)
                    .append("; ").append(redis.describe()).append(".\n\n");
            md.append(String.format(Locale.ROOT, "JVM launch → first reply printed, event `events/one-message.json`, "
                    + "guard on (connect, `admit.lua`, `commit.lua`), scripted generator with no latency; %d runs each, "
                    + "Redis flushed before each run (its script cache kept, as a long-lived Redis would):%n%n", runs));
            md.append("| JVM options | median launch → handler constructed (init) | median launch → first reply | min | max |\n"
                    + "|---|---:|---:|---:|---:|\n");
            for (List<String> options : List.of(List.<String>of(), List.of("-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1"))) {
                List<Double> launch = new ArrayList<>();
                List<Double> init = new ArrayList<>();
                for (int i = 0; i < runs; i++) {
                    redis.flushAll();
                    double[] r = once(options, String.join(java.io.File.pathSeparator, classpath), redis.url());
                    launch.add(r[0]);
                    init.add(r[1]);
                }
                String label = options.isEmpty() ? "JVM defaults" : String.join(" ", options) + " (Lambda's default for java17/java21)";
                md.append(String.format(Locale.ROOT, "| %s | %.0f ms | **%.0f ms** | %.0f ms | %.0f ms |%n", label,
                        median(init), median(launch), Collections.min(launch), Collections.max(launch)));
                out.println(label + ": " + launch);
            }
        }
        md.append("\n").append(size(classes, jars, outDir));
        md.append("\nLoad average after: ").append(Load.now()).append(".\n");
        Files.createDirectories(outDir);
        Path file = outDir.resolve("coldstart.md");
        Files.writeString(file, md.toString(), StandardCharsets.UTF_8);
        out.println(md);
        out.println("written: " + file);
        return md.toString();
    }

    /** @return {ms from launch to the reply line, ms from launch to the handler constructed} */
    private static double[] once(List<String> options, String classpath, String redisUrl) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(options);
        command.addAll(List.of("-cp", classpath, ColdStartMain.class.getName(), "events/one-message.json"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.remove("JAVA_TOOL_OPTIONS");
        env.put("REDIS_URL", redisUrl);
        env.put("GENERATOR", "scripted");
        env.put("REPLY_SINK", "stdout");
        env.put("REDIS_TIMEOUT_MS", "5000");
        long start = System.nanoTime();
        Process process = builder.start();
        double reply = -1;
        double init = -1;
        List<String> output = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                output.add(line);
                if (reply < 0 && line.contains("\"inReplyTo\"") && !line.contains("\"outcome\"")) {
                    reply = (System.nanoTime() - start) / 1e6;
                } else if (init < 0 && line.equals("cold-start-init-done")) {
                    init = (System.nanoTime() - start) / 1e6;
                }
            }
        }
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0 || reply < 0) {
            throw new IllegalStateException("cold-start run failed: " + String.join("\n", output));
        }
        return new double[] {reply, init};
    }

    private static String size(Path classes, List<Path> jars, Path outDir) throws IOException {
        Files.createDirectories(outDir);
        Path zip = outDir.resolve("deployable.zip");
        long unzipped = 0;
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            List<Path> files;
            try (Stream<Path> walk = Files.walk(classes)) {
                files = walk.filter(Files::isRegularFile).sorted().toList();
            }
            for (Path f : files) {
                unzipped += add(out, classes.relativize(f).toString().replace('\\', '/'), f);
            }
            for (Path jar : jars) {
                unzipped += add(out, "lib/" + jar.getFileName(), jar);
            }
        }
        long classesSize;
        try (Stream<Path> walk = Files.walk(classes)) {
            classesSize = walk.filter(Files::isRegularFile).mapToLong(ColdStart::sizeOf).sum();
        }
        List<Path> biggest = new ArrayList<>(jars);
        biggest.sort(Comparator.comparingLong(ColdStart::sizeOf).reversed());
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "Deployable (as `sam build` packages it: `target/classes` + %d runtime jars in `lib/`): "
                        + "**%.1f MB zipped**, %.1f MB unzipped (our classes and resources: %.0f kB). Largest jars: ",
                jars.size(), Files.size(zip) / 1e6, unzipped / 1e6, classesSize / 1e3));
        md.append(String.join(", ", biggest.stream().limit(5)
                .map(j -> String.format(Locale.ROOT, "%s %.1f MB", j.getFileName(), sizeOf(j) / 1e6)).toList()));
        md.append(". Lambda's limits: 50 MB zipped (direct upload), 250 MB unzipped.\n");
        return md.toString();
    }

    private static long add(ZipOutputStream out, String name, Path file) throws IOException {
        out.putNextEntry(new ZipEntry(name));
        long n = Files.copy(file, out);
        out.closeEntry();
        return n;
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

}
