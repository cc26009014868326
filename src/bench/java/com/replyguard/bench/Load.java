package com.replyguard.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The machine's load average (/proc/loadavg): this machine may be shared, and a benchmark should say so. */
public final class Load {

    private Load() {
    }

    /** e.g. "0.52 0.61 0.70 (1, 5, 15 min)". */
    public static String now() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2] + " (1, 5, 15 min)";
        } catch (IOException | ArrayIndexOutOfBoundsException e) {
            return "unknown";
        }
    }
}
