package com.replyguard.bench;

import com.replyguard.bench.sim.SimConfig;
import com.replyguard.bench.sim.Simulator;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * Entry point of the benchmarks (docs/BENCHMARKS.md), run in a JVM of its own with the test
 * classpath by the {@code bench} profile:
 *
 * <pre>
 * mvn -q -P bench test-compile exec:exec -Dbench="simulate [options]"
 * mvn -q -P bench test-compile exec:exec -Dbench="jmh"
 * mvn -q -P bench test-compile exec:exec -Dbench="throughput"
 * mvn -q -P bench test-compile exec:exec -Dbench="coldstart"
 * mvn -q -P bench test-compile exec:exec -Dbench="coldstart-ric"
 * mvn -q -P bench test-compile exec:exec -Dbench="fleet [options]"
 * mvn -q -P bench test-compile exec:exec -Dbench="all"
 * </pre>
 */
public final class Bench {

    static final Path OUT = Path.of("target", "bench");

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "help" : args[0];
        String[] rest = Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
        switch (command) {
            case "simulate" -> Simulator.run(SimConfig.parse(rest), String.join(" ", rest), System.out);
            case "jmh" -> JmhBenchmarks.run(rest, OUT, System.out);
            case "throughput" -> Throughput.run(rest, OUT, System.out);
            case "coldstart" -> ColdStart.run(rest, OUT, System.out);
            case "coldstart-ric" -> RuntimeClientColdStart.run(rest, OUT, System.out);
            case "fleet" -> FleetBench.run(rest, System.out);
            case "all" -> {
                // the simulator takes the options; the others run with their defaults
                Simulator.run(SimConfig.parse(rest), String.join(" ", rest), System.out);
                JmhBenchmarks.run(new String[0], OUT, System.out);
                Throughput.run(new String[0], OUT, System.out);
                ColdStart.run(new String[0], OUT, System.out);
                System.out.println("results in " + OUT + ": simulation.md, simulation.svg (or --chart), jmh.md, throughput.md, coldstart.md");
            }
            case "help", "-h", "--help" -> System.out.println("""
                    usage: Bench simulate|jmh|throughput|coldstart|coldstart-ric|fleet|all [options]
                      jmh [--include REGEX] [--redis-url URL]
                      throughput [--seconds N] [--redis-url URL]
                      coldstart [--runs N] [--redis-url URL]
                      coldstart-ric [--runs N] [--redis-url URL]   under the Lambda runtime interface client
                      all [simulate options]     the four, one after the other
                    """ + FleetBench.usage() + "\n" + SimConfig.usage());
            default -> {
                System.err.println("unknown benchmark " + command);
                System.exit(2);
            }
        }
        System.exit(0);
    }
}
