package com.replyguard.local;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.replyguard.config.ConfigException;
import com.replyguard.config.WorkerConfig;
import com.replyguard.core.Outcome;
import com.replyguard.lambda.ReplyGuardHandler;
import com.replyguard.redis.GuardKeys;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the Lambda handler locally the way Lambda would, with no AWS account: the local twin of
 * {@code sam local invoke -e FILE --env-vars env.json}. Starts an embedded real Redis unless
 * {@code REDIS_URL} is set; one handler (one "container") serves every invocation, so running the
 * same file twice shows what a second batch of the same message does. {@code --message} builds the
 * SQS event itself. See {@link #usage()} and README.md.
 */
public final class LocalInvoke {

    static final String FUNCTION_ID = "ReplyGuardFunction";
    static final String DEFAULT_MATCH = "match-local";

    /** Exit statuses, as {@code --help} states them. */
    static final int OK = 0;
    static final int RECORDS_TO_RETRY = 1;
    static final int USAGE = 2;

    /** Local-friendly Redis timeouts for the embedded Redis (a cold JVM on a busy laptop), unless set. */
    static final Map<String, String> EMBEDDED_REDIS_TIMEOUTS = Map.of(
            "REDIS_TIMEOUT_MS", "2000",
            "REDIS_CONNECT_TIMEOUT_MS", "5000");

    /** Strict like the worker's parser: one JSON value, no field given twice. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /** Blocks until the user ends the run ({@code --keep-redis}: Ctrl-C); tests release it themselves. */
    @FunctionalInterface
    interface StopSignal {
        void await() throws InterruptedException;
    }

    /** A mistake in the arguments or the files they name: one line, exit status 2. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    private LocalInvoke() {
    }

    public static void main(String[] args) {
        int status;
        try {
            status = run(args, System.getenv(), System.in, System.out, System.err, () -> new CountDownLatch(1).await());
        } catch (Exception e) {
            System.err.println("LocalInvoke: unexpected error (a bug): " + e);
            e.printStackTrace();
            status = RECORDS_TO_RETRY;
        }
        System.out.flush();
        System.exit(status); // exec:java runs in Maven's JVM: this is also Maven's exit status
    }

    // ------------------------------------------------------------------ arguments

    /** One SQS message to build from {@code --message}. */
    private static final class Message {
        final String text;
        final boolean fromStdin;
        String matchId;
        String messageId;

        Message(String text, boolean fromStdin) {
            this.text = text;
            this.fromStdin = fromStdin;
        }
    }

    /** One invocation: an event file, or consecutive {@code --message} options. */
    private static final class Batch {
        final Path file;
        final List<Message> messages = new ArrayList<>();
        String label;
        String json;
        SQSEvent event;

        Batch(Path file) {
            this.file = file;
        }
    }

    private record Options(List<Batch> batches, Path envVars, boolean keepRedis, boolean verbose, boolean help) {
    }

    private static Options parse(String[] args) throws UsageException {
        List<Batch> batches = new ArrayList<>();
        Path envVars = null;
        boolean keepRedis = false;
        boolean verbose = false;
        String defaultMatch = null;
        int matchOptions = 0;
        String onlyMatch = null;
        Batch messages = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "-e", "--event" -> {
                    batches.add(new Batch(Path.of(value(args, ++i, arg))));
                    messages = null;
                }
                case "-m", "--message" -> {
                    String text = value(args, ++i, arg);
                    if (messages == null) {
                        messages = new Batch(null);
                        batches.add(messages);
                    }
                    messages.messages.add(new Message(text, text.equals("-")));
                }
                case "--match" -> {
                    String id = value(args, ++i, arg);
                    matchOptions++;
                    onlyMatch = id;
                    Message last = messages == null ? null : messages.messages.getLast();
                    if (last == null) {
                        defaultMatch = id;
                    } else {
                        last.matchId = id;
                    }
                }
                case "--message-id" -> {
                    String id = value(args, ++i, arg);
                    Message last = messages == null ? null : messages.messages.getLast();
                    if (last == null) {
                        throw new UsageException("--message-id names the --message before it: give --message TEXT first");
                    }
                    if (last.fromStdin) {
                        throw new UsageException("--message-id cannot name the messages read from stdin (--message -): they are numbered msg-1, msg-2, …");
                    }
                    last.messageId = id;
                }
                case "-n", "--env-vars" -> envVars = Path.of(value(args, ++i, arg));
                case "--keep-redis" -> keepRedis = true;
                case "-v", "--verbose" -> verbose = true;
                case "-h", "--help" -> {
                    return new Options(List.of(), null, false, false, true);
                }
                default -> throw new UsageException("unknown argument " + arg);
            }
        }
        if (batches.isEmpty()) {
            throw new UsageException("nothing to send: give an event file (-e FILE) or a message (--message TEXT)");
        }
        // one --match names the match of every message, wherever it stands; several name the --message before each
        String match = matchOptions == 1 ? onlyMatch : defaultMatch == null ? DEFAULT_MATCH : defaultMatch;
        for (Batch batch : batches) {
            for (Message m : batch.messages) {
                if (m.matchId == null || matchOptions == 1) {
                    m.matchId = match;
                }
            }
        }
        return new Options(batches, envVars, keepRedis, verbose, false);
    }

    private static String value(String[] args, int i, String option) throws UsageException {
        if (i >= args.length) {
            throw new UsageException(option + " needs a value");
        }
        return args[i];
    }

    // ------------------------------------------------------------------ the run

    /**
     * @param in   read by {@code --message -}
     * @param stop awaited after the run with {@code --keep-redis}, while the embedded Redis keeps running
     * @return the exit status: 0 when every record succeeded, 1 when a record is in batchItemFailures,
     *         2 on a usage or configuration error
     */
    static int run(String[] args, Map<String, String> processEnv, InputStream in, PrintStream out, PrintStream err,
                   StopSignal stop) throws IOException {
        Options options;
        Map<String, String> env = new HashMap<>(processEnv);
        PojoSerializer<SQSEvent> eventSerializer = LambdaEventSerializers.serializerFor(SQSEvent.class, LocalInvoke.class.getClassLoader());
        try {
            options = parse(args);
            if (options.help()) {
                out.println(usage());
                return OK;
            }
            if (options.envVars() != null) {
                env.putAll(readEnvVars(options.envVars()));
            }
            int[] messageNumber = {0};
            for (Batch batch : options.batches()) {
                if (batch.file != null) {
                    batch.event = readEvent(batch.file, eventSerializer);
                    batch.label = batch.file.toString();
                } else {
                    batch.event = buildEvent(batch, expand(batch.messages, in), messageNumber, env, eventSerializer);
                }
            }
        } catch (UsageException e) {
            err.println("LocalInvoke: " + e.getMessage() + "   (--help shows the usage)");
            return USAGE;
        }

        boolean guardEnabled = !"false".equalsIgnoreCase(env.getOrDefault("GUARD_ENABLED", "true").strip());
        if (options.keepRedis() && !guardEnabled) {
            err.println("LocalInvoke: --keep-redis keeps the guard's Redis, but GUARD_ENABLED is false: no Redis is used");
            return USAGE;
        }
        EmbeddedRedis redis = null;
        if (guardEnabled && blank(env.get("REDIS_URL")) && blank(env.get("REDIS_URL_SECRET_ARN"))) {
            try {
                redis = EmbeddedRedis.start();
            } catch (RuntimeException e) {
                err.println("LocalInvoke: could not start the embedded Redis (" + rootMessage(e) + "); set REDIS_URL to a Redis of yours");
                return USAGE;
            }
            env.put("REDIS_URL", redis.url());
            EMBEDDED_REDIS_TIMEOUTS.forEach(env::putIfAbsent);
        }
        boolean keep = false;
        try {
            WorkerConfig config;
            try {
                config = WorkerConfig.fromEnvironment(env);
            } catch (ConfigException e) {
                err.println("LocalInvoke: configuration error: " + e.getMessage());
                return USAGE;
            }
            int status = invoke(options, config, redis, out, err);
            if (options.keepRedis()) {
                keep = redis != null;
                printRedisCommands(options, config, redis, out);
            }
            if (keep) {
                EmbeddedRedis kept = redis;
                Thread stopRedis = new Thread(kept::close, "stop-embedded-redis");
                Runtime.getRuntime().addShutdownHook(stopRedis); // Ctrl-C
                try {
                    stop.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                Runtime.getRuntime().removeShutdownHook(stopRedis);
                kept.close();
                out.println("embedded Redis stopped");
            }
            return status;
        } finally {
            if (redis != null && !keep) {
                redis.close();
            }
        }
    }

    private static int invoke(Options options, WorkerConfig config, EmbeddedRedis redis, PrintStream out, PrintStream err) {
        if (redis != null) {
            out.println("started an embedded Redis server at " + redis.url() + " (it stops when the run ends"
                    + (options.keepRedis() ? ", unless --keep-redis" : "") + ")");
        }
        out.println("config: " + describe(config));
        int status = OK;
        boolean alreadyAnswered = false;
        PojoSerializer<SQSBatchResponse> responseSerializer = LambdaEventSerializers.serializerFor(SQSBatchResponse.class, LocalInvoke.class.getClassLoader());
        ByteArrayOutputStream logBuffer = new ByteArrayOutputStream();
        ByteArrayOutputStream replyBuffer = new ByteArrayOutputStream();
        try (PrintStream log = new PrintStream(logBuffer, true, StandardCharsets.UTF_8);
             PrintStream replies = new PrintStream(replyBuffer, true, StandardCharsets.UTF_8);
             ReplyGuardHandler handler = new ReplyGuardHandler(config, Clock.systemUTC(), log, replies)) {
            if (config.guard().enabled()) {
                // connect before the first record, so that it does not pay (or time out on) a cold connect
                boolean connected = handler.connectGuard();
                if (connected) {
                    out.println("connected to Redis at " + config.redis().endpoint());
                } else {
                    err.println("warning: could not connect to Redis at " + config.redis().endpoint() + " within "
                            + config.redis().connectTimeout().toMillis() + " ms: records will be GUARD_BYPASSED"
                            + " (answered without the guard) until it answers");
                }
            } else {
                out.println("the guard is off (GUARD_ENABLED=false): every record is answered, no Redis is used");
            }
            int invocation = 0;
            for (Batch batch : options.batches()) {
                invocation++;
                List<SQSEvent.SQSMessage> records = batch.event.getRecords();
                out.printf("%n== invocation %d of %d: %s, %s%n", invocation, options.batches().size(), batch.label,
                        plural(records.size(), "record", "records"));
                if (options.verbose() && batch.file == null) {
                    out.println("-- SQS event built from --message");
                    out.println("   " + batch.json);
                }
                SQSBatchResponse response = handler.handleRequest(batch.event, null);
                List<String> lines = logBuffer.toString(StandardCharsets.UTF_8).lines().toList();
                logBuffer.reset();
                List<String> metrics = lines.stream().filter(LocalInvoke::isMetrics).toList();
                out.println("-- outcomes (one log line per record, as Lambda logs them)");
                print(lines.stream().filter(l -> !isMetrics(l)).toList(), out);
                out.println("-- replies delivered (" + config.sink().kind().name().toLowerCase(Locale.ROOT) + " sink)");
                List<String> delivered = replyBuffer.toString(StandardCharsets.UTF_8).lines().toList();
                replyBuffer.reset();
                if (delivered.isEmpty() && config.sink().kind() != com.replyguard.config.SinkSettings.Kind.STDOUT) {
                    out.println("   (sent by the " + config.sink().kind().name().toLowerCase(Locale.ROOT) + " sink, not shown here)");
                } else {
                    print(delivered, out);
                }
                if (options.verbose()) {
                    out.println("-- metrics (CloudWatch EMF, one line per invocation)");
                    print(metrics, out);
                }
                out.println("-- batch response");
                ByteArrayOutputStream json = new ByteArrayOutputStream();
                responseSerializer.toJson(response, json);
                out.println("   " + json.toString(StandardCharsets.UTF_8));
                Summary summary = Summary.of(records.size(), lines, metrics, delivered.size(), response);
                out.println("== " + summary);
                if (!summary.failures().isEmpty()) {
                    status = RECORDS_TO_RETRY;
                }
                alreadyAnswered |= summary.outcomes().containsKey(Outcome.SKIPPED_ALREADY_ANSWERED);
            }
        }
        if (alreadyAnswered && redis == null) {
            out.println();
            out.println("note: REDIS_URL is your own Redis, which remembers answered messageIds for "
                    + config.guard().answeredTtl().toSeconds() + " s (ANSWERED_TTL_SECONDS): a re-run of the same"
                    + " event or ids ends SKIPPED_ALREADY_ANSWERED. Use new ids (--message-id, --match) or the"
                    + " embedded Redis (unset REDIS_URL).");
        }
        if (status == RECORDS_TO_RETRY) {
            out.println();
            out.println("exit status 1: some records are in batchItemFailures (FAILED or INVALID): SQS would retry them,"
                    + " then move them to the dead-letter queue");
        }
        return status;
    }

    /** The per-invocation summary line: "2 records: REPLIED 1, SKIPPED_ALREADY_ANSWERED 1; 1 reply delivered; 0 to retry". */
    record Summary(int records, Map<Outcome, Integer> outcomes, int repliesDelivered, List<String> failures) {

        static Summary of(int records, List<String> logLines, List<String> metricsLines, int replyLines,
                          SQSBatchResponse response) {
            Map<Outcome, Integer> outcomes = new EnumMap<>(Outcome.class);
            Integer delivered = null;
            for (String line : logLines) {
                JsonNode node = readLine(line);
                if (node == null) {
                    continue;
                }
                if (node.hasNonNull("outcome")) {
                    try {
                        outcomes.merge(Outcome.valueOf(node.get("outcome").asText()), 1, Integer::sum);
                    } catch (IllegalArgumentException e) {
                        // not one of ours: leave it out of the counts
                    }
                }
            }
            for (String line : metricsLines) {
                JsonNode node = readLine(line);
                if (node != null && node.has("RepliesDelivered")) {
                    delivered = node.get("RepliesDelivered").asInt();
                }
            }
            List<String> failures = response.getBatchItemFailures() == null ? List.of()
                    : response.getBatchItemFailures().stream().map(SQSBatchResponse.BatchItemFailure::getItemIdentifier).toList();
            return new Summary(records, outcomes, delivered == null ? replyLines : delivered, failures);
        }

        @Override
        public String toString() {
            StringJoiner counts = new StringJoiner(", ");
            outcomes.forEach((outcome, n) -> counts.add(outcome.name() + " " + n));
            return plural(records, "record", "records") + ": " + (outcomes.isEmpty() ? "no outcome" : counts) + "; "
                    + plural(repliesDelivered, "reply", "replies") + " delivered; " + failures.size() + " to retry";
        }
    }

    // ------------------------------------------------------------------ events

    /** Reads an SQS event file, refusing with one clear line what Lambda would never deliver. */
    static SQSEvent readEvent(Path file, PojoSerializer<SQSEvent> serializer) throws UsageException {
        byte[] bytes = readFile(file, "event file");
        JsonNode root = readJson(file, bytes);
        JsonNode records = root.get("Records");
        if (!root.isObject() || records == null || !records.isArray()) {
            throw new UsageException(file + ": not an SQS event: it has no \"Records\" array"
                    + " (an SQS event is {\"Records\": [{\"messageId\": …, \"body\": \"…\"}, …]}, as in events/one-message.json)");
        }
        if (records.isEmpty()) {
            throw new UsageException(file + ": its \"Records\" array is empty: Lambda never invokes with no record");
        }
        for (int i = 0; i < records.size(); i++) {
            if (!records.get(i).isObject()) {
                throw new UsageException(file + ": Records[" + i + "] is not an object (an SQS record has messageId, body, attributes…)");
            }
        }
        try {
            return serializer.fromJson(new ByteArrayInputStream(bytes));
        } catch (RuntimeException e) {
            throw new UsageException(file + ": could not be read as an SQS event (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static byte[] readFile(Path file, String what) throws UsageException {
        if (!Files.exists(file)) {
            throw new UsageException(file + ": " + what + " not found"
                    + (file.isAbsolute() ? "" : " (relative to " + Path.of("").toAbsolutePath() + ")"));
        }
        if (Files.isDirectory(file)) {
            throw new UsageException(file + ": is a directory, not an " + what);
        }
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UsageException(file + ": cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** The file's JSON, or one line saying where it breaks — never the parser's internals. */
    private static JsonNode readJson(Path file, byte[] bytes) throws UsageException {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            var where = e.getLocation();
            String at = where == null || where.getLineNr() < 0 ? "" : " at line " + where.getLineNr() + ", column " + where.getColumnNr();
            String original = String.valueOf(e.getOriginalMessage());
            String what = e instanceof JsonEOFException ? "it ends before the JSON is complete" + at + " (a truncated file?)"
                    : original.startsWith("Duplicate field") ? "a field is given twice" + at
                    : original.startsWith("Trailing token") ? "more data follows the JSON value" + at
                    : "syntax error" + at;
            throw new UsageException(file + ": not valid JSON: " + what);
        } catch (IOException e) {
            throw new UsageException(file + ": cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        if (root == null || root.isMissingNode()) {
            throw new UsageException(file + ": is empty");
        }
        return root;
    }

    /** {@code --message -}: one message per non-blank line of stdin. */
    private static List<Message> expand(List<Message> messages, InputStream in) throws UsageException {
        List<Message> expanded = new ArrayList<>();
        for (Message m : messages) {
            if (!m.fromStdin) {
                expanded.add(m);
                continue;
            }
            List<String> lines;
            try {
                lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines()
                        .filter(l -> !l.isBlank()).toList();
            } catch (RuntimeException e) {
                throw new UsageException("--message -: stdin cannot be read (" + e.getClass().getSimpleName() + ")");
            }
            if (lines.isEmpty()) {
                throw new UsageException("--message - read no message from stdin (one message per line)");
            }
            for (String line : lines) {
                Message read = new Message(line, false);
                read.matchId = m.matchId;
                expanded.add(read);
            }
        }
        return expanded;
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    /** The SQS event Lambda would get for these messages: full record shape, as in events/*.json. */
    private static SQSEvent buildEvent(Batch batch, List<Message> messages, int[] messageNumber, Map<String, String> env,
                                       PojoSerializer<SQSEvent> serializer) throws UsageException {
        batch.messages.clear();
        batch.messages.addAll(messages);
        String region = blank(env.get("AWS_REGION")) ? "eu-west-3" : env.get("AWS_REGION").strip();
        Instant now = Instant.now();
        ObjectNode event = JSON.createObjectNode();
        ArrayNode records = event.putArray("Records");
        for (Message m : messages) {
            messageNumber[0]++; // the n-th message of the run is msg-n unless --message-id names it
            if (m.messageId == null) {
                m.messageId = "msg-" + messageNumber[0];
            }
            ObjectNode job = JSON.createObjectNode()
                    .put("matchId", m.matchId)
                    .put("messageId", m.messageId)
                    .put("userMessage", m.text)
                    .put("sentAt", now.truncatedTo(ChronoUnit.SECONDS).toString());
            String body = job.toString();
            byte[] handle = new byte[96];
            RANDOM.nextBytes(handle);
            ObjectNode record = records.addObject()
                    .put("messageId", UUID.randomUUID().toString())
                    .put("receiptHandle", "AQEB" + Base64.getEncoder().encodeToString(handle))
                    .put("body", body);
            record.putObject("attributes")
                    .put("ApproximateReceiveCount", "1")
                    .put("SentTimestamp", Long.toString(now.toEpochMilli()))
                    .put("SenderId", "AIDALOCALINVOKE:reply-guard-bridge")
                    .put("ApproximateFirstReceiveTimestamp", Long.toString(now.toEpochMilli()));
            record.putObject("messageAttributes");
            record.put("md5OfBody", md5(body))
                    .put("eventSource", "aws:sqs")
                    .put("eventSourceARN", "arn:aws:sqs:" + region + ":000000000000:reply-guard-jobs")
                    .put("awsRegion", region);
        }
        batch.label = "--message";
        batch.json = event.toString();
        try {
            return serializer.fromJson(new ByteArrayInputStream(batch.json.getBytes(StandardCharsets.UTF_8)));
        } catch (RuntimeException e) {
            throw new UsageException("--message: the SQS event could not be built (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static String md5(String body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(body.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ --env-vars

    /** The variables of {@code sam local invoke --env-vars}: "Parameters" for all functions, then ours. */
    public static Map<String, String> readEnvVars(Path file) throws UsageException {
        JsonNode root = readJson(file, readFile(file, "env-vars file"));
        if (!root.isObject() || !(root.path("Parameters").isObject() || root.path(FUNCTION_ID).isObject())) {
            throw new UsageException(file + ": not a SAM env-vars file: expected {\"" + FUNCTION_ID + "\": {\"NAME\": \"value\", …}}"
                    + " and/or {\"Parameters\": {…}}, as in events/env.json");
        }
        Map<String, String> vars = new HashMap<>();
        for (String section : List.of("Parameters", FUNCTION_ID)) {
            JsonNode node = root.get(section);
            if (node == null || !node.isObject()) {
                continue;
            }
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                    throw new UsageException(file + ": " + section + "." + e.getKey() + " must be a string, number or boolean");
                }
                vars.put(e.getKey(), e.getValue().asText());
            }
        }
        return vars;
    }

    // ------------------------------------------------------------------ --keep-redis

    private static void printRedisCommands(Options options, WorkerConfig config, EmbeddedRedis redis, PrintStream out) {
        Map<String, Set<String>> ids = new LinkedHashMap<>();
        for (Batch batch : options.batches()) {
            for (SQSEvent.SQSMessage record : batch.event.getRecords()) {
                JsonNode body = readLine(record.getBody());
                if (body == null || !body.isObject()) {
                    continue;
                }
                String matchId = text(body, "matchId", "match_id");
                String messageId = text(body, "messageId", "message_id");
                if (matchId == null) {
                    continue;
                }
                ids.computeIfAbsent(matchId, k -> new LinkedHashSet<>()).add(messageId == null ? record.getMessageId() : messageId);
            }
        }
        String cli;
        out.println();
        if (redis != null) {
            out.println("-- the embedded Redis keeps running (--keep-redis): " + redis.url());
            cli = "redis-cli -p " + redis.port();
        } else {
            out.println("-- --keep-redis: REDIS_URL is your own Redis (" + config.redis().endpoint() + "), nothing to keep; its keys:");
            cli = "redis-cli -u \"$REDIS_URL\"" + (config.redis().url().startsWith("rediss") ? " --tls" : "")
                    + (config.redis().cluster() ? " -c" : "");
        }
        int shown = 0;
        for (Map.Entry<String, Set<String>> match : ids.entrySet()) {
            if (++shown > 5) {
                out.println("   … and " + (ids.size() - 5) + " more matches");
                break;
            }
            String matchId = match.getKey();
            out.println("   " + cli + " --scan --pattern " + shellQuote(GuardKeys.scanPattern(matchId))
                    + "   # every guard key of " + matchId);
            for (String messageId : match.getValue()) {
                out.println("   " + cli + " TTL " + shellQuote(GuardKeys.answered(matchId, messageId))
                        + "   # seconds " + messageId + " stays remembered as answered (-2: not answered)");
            }
            StringJoiner inspect = new StringJoiner(" ");
            inspect.add(execArg(matchId));
            match.getValue().forEach(id -> inspect.add("--message").add(execArg(id)));
            out.println("   REDIS_URL=" + (redis != null ? redis.url() : "\"$REDIS_URL\"")
                    + " mvn -q compile exec:java -Dexec.mainClass=com.replyguard.redis.GuardInspector -Dexec.args=\""
                    + inspect + "\"   # the inspector: flag, recent questions and replies, TTLs");
        }
        if (ids.isEmpty()) {
            out.println("   " + cli + " --scan --pattern 'rg:*'   # every guard key");
        }
        if (config.guard().enabled()) {
            out.println("   (the flag and the recent questions and replies expire " + config.guard().ttl().toSeconds()
                    + " s after the run (GUARD_TTL_SECONDS), the answered markers after " + config.guard().answeredTtl().toSeconds() + " s)");
        }
        if (redis != null) {
            out.println("   (redis-cli comes with Redis: the redis-tools package on Debian and Ubuntu, redis on Homebrew)");
            out.println("Ctrl-C stops the embedded Redis and ends the run.");
        }
        out.flush();
    }

    private static String text(JsonNode body, String name, String alias) {
        JsonNode node = body.hasNonNull(name) ? body.get(name) : body.get(alias);
        return node != null && node.isTextual() ? node.asText() : null;
    }

    private static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** An argument inside {@code -Dexec.args="…"}: exec splits on spaces, so quote those that have some. */
    private static String execArg(String s) {
        return s.matches("[^\\s'\"]+") ? s : "'" + s.replace("'", "") + "'";
    }

    // ------------------------------------------------------------------ output

    private static String describe(WorkerConfig config) {
        var redis = config.redis();
        var guard = config.guard();
        StringJoiner line = new StringJoiner(" ");
        line.add("guard=" + (guard.enabled() ? "on" : "off"));
        if (guard.enabled()) {
            line.add("redis=" + redis.endpoint()).add("cluster=" + redis.cluster())
                    .add("timeout=" + redis.timeout().toMillis() + "ms").add("connectTimeout=" + redis.connectTimeout().toMillis() + "ms")
                    .add("ttl=" + guard.ttl().toSeconds() + "s").add("answeredTtl=" + guard.answeredTtl().toSeconds() + "s")
                    .add("questionSimilarity=" + guard.questionSimilarity()).add("replySimilarity=" + guard.replySimilarity())
                    .add("coalesce=" + guard.coalesce());
        }
        var generator = config.generator();
        line.add("generator=" + generator.kind().name().toLowerCase(Locale.ROOT));
        switch (generator.kind()) {
            case BEDROCK -> line.add("model=" + generator.bedrockModelId());
            case OPENAI -> line.add("model=" + generator.openAi().model());
            case SCRIPTED -> {
                if (generator.scriptedReplies() != null) {
                    line.add("replies=" + generator.scriptedReplies());
                }
                if (!generator.delay().isZero()) {
                    line.add("delay=" + generator.delay().toMillis() + "ms");
                }
            }
        }
        line.add("sink=" + config.sink().kind().name().toLowerCase(Locale.ROOT))
                .add("maxMessageChars=" + config.maxMessageChars())
                .add("logLevel=" + config.observability().logLevel());
        return line.toString();
    }

    /** The invocation's CloudWatch EMF record: the one log line with an {@code _aws} object. */
    private static boolean isMetrics(String line) {
        JsonNode node = line.contains("\"_aws\"") ? readLine(line) : null;
        return node != null && node.path("_aws").isObject();
    }

    private static JsonNode readLine(String line) {
        if (line == null) {
            return null;
        }
        try {
            return JSON.readTree(line);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static void print(List<String> lines, PrintStream out) {
        if (lines.isEmpty()) {
            out.println("   (none)");
        }
        lines.forEach(line -> out.println("   " + line));
    }

    private static String plural(int n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }

    static String usage() {
        return """
                usage: mvn -q -Drg.local test-compile exec:java -Dexec.args="ARGUMENTS"

                Runs the Lambda handler on this machine, like `sam local invoke`, with no AWS account: against an
                embedded Redis server (or REDIS_URL), the scripted generator and the stdout sink unless the
                environment or --env-vars says otherwise. One handler serves every invocation, like one Lambda
                container.

                  -e, --event FILE        invoke with an SQS event file (events/*.json); repeat for several invocations
                  -m, --message TEXT      invoke with one user message (the SQS event is built for you); consecutive
                                          --message options form one batch; "-" reads one message per line from stdin
                      --match ID          the matchId of the messages (default match-local); with several --match,
                                          each names the --message before it (one before any --message: the rest)
                      --message-id ID     the messageId of the --message before it; default msg-1, msg-2, …
                  -n, --env-vars FILE     a `sam local invoke --env-vars` file (events/env.json)
                      --keep-redis        after the run, leave the embedded Redis running, print its URL and the
                                          redis-cli commands for the ids just used, and wait for Ctrl-C
                  -v, --verbose           also print the SQS event built from --message and the EMF metrics line
                  -h, --help              this text

                With the embedded Redis, REDIS_TIMEOUT_MS=2000 and REDIS_CONNECT_TIMEOUT_MS=5000 unless set (the
                deployed defaults, 300 and 1000, are for a warm Lambda next to its Redis).
                With your own REDIS_URL, answered messageIds are remembered for ANSWERED_TTL_SECONDS (3600): a re-run
                with the same ids ends SKIPPED_ALREADY_ANSWERED.

                exit status: 0  every record succeeded (none in batchItemFailures)
                             1  some record is in batchItemFailures (FAILED or INVALID): SQS would retry it
                             2  usage or configuration error (bad argument, missing or malformed file, bad variable)

                examples:
                  -e events/duplicate-delivery.json
                  -e events/redelivery.json -e events/redelivery.json
                  --message "salut" --message "tu fais quoi ce soir ?" --keep-redis
                  --message "tu fais quoi ?" --match match-42 --message-id msg-1001""";
    }
}
