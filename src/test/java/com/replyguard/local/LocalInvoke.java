package com.replyguard.local;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.replyguard.config.ConfigException;
import com.replyguard.config.WorkerConfig;
import com.replyguard.lambda.ReplyGuardHandler;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the handler on SQS event files the way Lambda would, with no AWS account — the local twin of
 * {@code sam local invoke -e FILE --env-vars env.json}. Starts an embedded real Redis unless
 * {@code REDIS_URL} is set; one handler (one "container") serves every invocation, so running the
 * same file twice shows what a second batch of the same message does.
 *
 * <pre>
 * mvn -q test-compile exec:java -Dexec.args="-e events/duplicate-delivery.json"
 * mvn -q test-compile exec:java -Dexec.args="-e events/redelivery.json -e events/redelivery.json --env-vars events/env.json"
 * </pre>
 */
public final class LocalInvoke {

    static final String FUNCTION_ID = "ReplyGuardFunction";

    public static void main(String[] args) throws Exception {
        int status = run(args, System.getenv(), System.out, System.err);
        System.exit(status);
    }

    /** @return the process exit status: 0 when every invocation ran, 2 on bad arguments or configuration */
    static int run(String[] args, Map<String, String> processEnv, PrintStream out, PrintStream err) throws IOException {
        List<Path> events = new ArrayList<>();
        Path envVars = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-e", "--event" -> events.add(Path.of(requireValue(args, ++i)));
                case "-n", "--env-vars" -> envVars = Path.of(requireValue(args, ++i));
                case "-h", "--help" -> {
                    out.println(usage());
                    return 0;
                }
                default -> {
                    err.println("unknown argument " + args[i] + "\n" + usage());
                    return 2;
                }
            }
        }
        if (events.isEmpty()) {
            err.println("no event file given\n" + usage());
            return 2;
        }
        Map<String, String> env = new HashMap<>(processEnv);
        if (envVars != null) {
            env.putAll(readEnvVars(envVars));
        }
        EmbeddedRedis redis = null;
        boolean guardEnabled = !"false".equalsIgnoreCase(env.getOrDefault("GUARD_ENABLED", "true").strip());
        if (guardEnabled && blank(env.get("REDIS_URL"))) {
            redis = EmbeddedRedis.start();
            env.put("REDIS_URL", redis.url());
            out.println("started an embedded Redis server at " + redis.url());
        }
        try {
            WorkerConfig config;
            try {
                config = WorkerConfig.fromEnvironment(env);
            } catch (ConfigException e) {
                err.println("configuration error: " + e.getMessage());
                return 2;
            }
            out.println("config: " + config);
            ByteArrayOutputStream logBuffer = new ByteArrayOutputStream();
            ByteArrayOutputStream replyBuffer = new ByteArrayOutputStream();
            try (PrintStream log = new PrintStream(logBuffer, true, StandardCharsets.UTF_8);
                 PrintStream replies = new PrintStream(replyBuffer, true, StandardCharsets.UTF_8);
                 ReplyGuardHandler handler = new ReplyGuardHandler(config, Clock.systemUTC(), log, replies)) {
                PojoSerializer<SQSEvent> eventSerializer = LambdaEventSerializers.serializerFor(SQSEvent.class, LocalInvoke.class.getClassLoader());
                PojoSerializer<SQSBatchResponse> responseSerializer = LambdaEventSerializers.serializerFor(SQSBatchResponse.class, LocalInvoke.class.getClassLoader());
                int invocation = 0;
                for (Path file : events) {
                    invocation++;
                    SQSEvent event;
                    try (InputStream in = Files.newInputStream(file)) {
                        event = eventSerializer.fromJson(in);
                    }
                    int records = event.getRecords() == null ? 0 : event.getRecords().size();
                    out.printf("%n== invocation %d of %d: %s (%d records)%n", invocation, events.size(), file, records);
                    SQSBatchResponse response = handler.handleRequest(event, null);
                    out.println("-- outcomes (one log line per record)");
                    printAndReset(logBuffer, out);
                    out.println("-- replies delivered (" + config.sink().kind().name().toLowerCase() + " sink)");
                    printAndReset(replyBuffer, out);
                    out.println("-- batch response");
                    ByteArrayOutputStream json = new ByteArrayOutputStream();
                    responseSerializer.toJson(response, json);
                    out.println("   " + json.toString(StandardCharsets.UTF_8));
                }
            }
            return 0;
        } finally {
            if (redis != null) {
                redis.close();
            }
        }
    }

    /** The variables of {@code sam local invoke --env-vars}: "Parameters" for all functions, then ours. */
    public static Map<String, String> readEnvVars(Path file) throws IOException {
        JsonNode root = new ObjectMapper().readTree(file.toFile());
        Map<String, String> vars = new HashMap<>();
        for (String section : List.of("Parameters", FUNCTION_ID)) {
            JsonNode node = root.get(section);
            if (node != null && node.isObject()) {
                node.properties().forEach(e -> vars.put(e.getKey(), e.getValue().asText()));
            }
        }
        return vars;
    }

    private static void printAndReset(ByteArrayOutputStream buffer, PrintStream out) {
        String text = buffer.toString(StandardCharsets.UTF_8);
        buffer.reset();
        if (text.isBlank()) {
            out.println("   (none)");
            return;
        }
        text.lines().forEach(line -> out.println("   " + line));
    }

    private static String requireValue(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }

    private static String usage() {
        return "usage: LocalInvoke -e EVENT.json [-e EVENT2.json ...] [--env-vars env.json]\n"
                + "  runs the Lambda handler on each event in turn, in one container, against REDIS_URL or an embedded Redis";
    }
}
