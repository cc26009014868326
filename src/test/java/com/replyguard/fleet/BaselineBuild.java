package com.replyguard.fleet;

import com.replyguard.testing.RuntimeClientProcess;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The deployable of an earlier commit, for the fleet's baseline: the commit's tree exported with
 * {@code git archive} into {@code target/fleet-baseline/<commit>}, built by Maven (no tests), and
 * laid out as {@code sam build} does. Built once; later runs reuse it.
 */
public final class BaselineBuild {

    private BaselineBuild() {
    }

    public static Path deployable(String commit) {
        Path dir = Path.of("target", "fleet-baseline", commit).toAbsolutePath();
        Path target = dir.resolve("target");
        if (!Files.isDirectory(target.resolve("deployable").resolve("lib")) || !Files.isDirectory(target.resolve("classes"))) {
            try {
                Files.createDirectories(dir);
                Path tar = dir.resolveSibling(commit + ".tar");
                run(List.of("git", "archive", "--format=tar", "-o", tar.toString(), commit), Path.of("."));
                run(List.of("tar", "-xf", tar.toString(), "-C", dir.toString()), Path.of("."));
                run(List.of("mvn", "-q", "-B", "-ntp", "-DskipTests", "process-classes"), dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return RuntimeClientProcess.layOut(target);
    }

    private static void run(List<String> command, Path dir) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).inheritIO();
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process process = builder.start();
        try {
            if (!process.waitFor(15, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new IllegalStateException("baseline build failed: " + String.join(" ", command) + " in " + dir);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + String.join(" ", command));
        }
    }
}
