package com.replyguard.bench.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs one mode on the traffic: {@code containers} threads, each a simulated Lambda container with
 * its own handler and Redis connection, polling the shared queue; then collects every delivered
 * reply and every per-record outcome.
 */
public final class Simulation {

    /** A reply as a sink delivered it, with the moment it was delivered (System.nanoTime). */
    public record DeliveredReply(String matchId, List<String> inReplyTo, String text, long atNanos) {
    }

    /**
     * What one mode did.
     *
     * @param redisCommands client commands Redis received during the run, by name; null when not counted
     * @param origin        System.nanoTime of world time 0
     */
    public record ModeRun(Mode mode, List<JobRecord> jobs, List<DeliveredReply> replies, Map<String, Long> redisCommands,
                          int deadLettered, int retried, int containerErrors, long origin, long wallNanos) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WARM_UP = "warmup-";

    private Simulation() {
    }

    public static ModeRun run(Mode mode, SimConfig config, Traffic traffic, String redisUrl, Path rules) {
        Lines log = new Lines();
        Lines replies = new Lines();
        Queue<JobRecord> originalRecords = new ConcurrentLinkedQueue<>();
        List<SimContainer> containers = new ArrayList<>();
        for (int i = 0; i < config.containers(); i++) {
            containers.add(switch (mode) {
                case NONE -> new HandlerContainer(env(config, rules, redisUrl, false), log, replies);
                case REPLY_GUARD -> new HandlerContainer(env(config, rules, redisUrl, true), log, replies);
                case ORIGINAL -> new OriginalContainer(redisUrl, config, rules, replies, originalRecords);
            });
        }
        // A warm container: connection opened and scripts loaded once per container, not per message.
        // Cold starts are measured on their own (ColdStart).
        for (int i = 0; i < containers.size(); i++) {
            Traffic.UserMessage hello = new Traffic.UserMessage(WARM_UP + mode.key + "-" + i, WARM_UP + i, "salut", "", 0);
            containers.get(i).handle(List.of(new SimQueue.Received(
                    new Traffic.Delivery(WARM_UP + mode.key + "-" + i, hello, 0, Traffic.Comeback.NONE), 1)));
        }
        URI redis = redisUrl == null ? null : URI.create(redisUrl);
        CommandCounter counter = config.monitor() && redis != null ? CommandCounter.start(redis.getHost(), redis.getPort()) : null;
        SimQueue queue = new SimQueue(config, config.seed() * 31 + mode.ordinal());
        AtomicInteger errors = new AtomicInteger();
        long origin = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
        queue.load(traffic, origin);
        List<Thread> threads = new ArrayList<>();
        for (SimContainer container : containers) {
            threads.add(Thread.ofPlatform().name("container-" + threads.size()).start(() -> poll(queue, container, config, errors)));
        }
        boolean drained;
        try {
            long budget = config.realNanos(config.durationWorldSeconds() * 1000L
                    + 4L * config.visibilityTimeoutWorldSeconds() * 1000 * config.maxReceiveCount()) + TimeUnit.MINUTES.toNanos(5);
            drained = queue.awaitDrained(budget, TimeUnit.NANOSECONDS);
            queue.close();
            for (Thread t : threads) {
                t.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        long wall = System.nanoTime() - origin;
        Map<String, Long> commands = null;
        if (counter != null) {
            commands = counter.stop();
            counter.close();
        }
        containers.forEach(SimContainer::close);
        if (!drained) {
            throw new IllegalStateException(mode.key + ": the queue did not drain in time");
        }
        List<JobRecord> jobs = mode == Mode.ORIGINAL ? new ArrayList<>(originalRecords) : parseLog(log);
        jobs.removeIf(j -> j.matchId() == null || j.matchId().startsWith(WARM_UP));
        List<DeliveredReply> delivered = parseReplies(replies);
        delivered.removeIf(r -> r.matchId().startsWith(WARM_UP));
        return new ModeRun(mode, jobs, delivered, commands, queue.deadLettered(), queue.retried(), errors.get(), origin, wall);
    }

    private static void poll(SimQueue queue, SimContainer container, SimConfig config, AtomicInteger errors) {
        while (true) {
            List<SimQueue.Received> batch;
            try {
                batch = queue.take(config.batchSize());
            } catch (InterruptedException e) {
                return;
            }
            if (batch.isEmpty()) {
                return;
            }
            Set<String> failed;
            try {
                failed = container.handle(batch);
            } catch (RuntimeException e) {
                // an exception escaping the handler fails the whole batch, as on Lambda
                errors.incrementAndGet();
                failed = new java.util.HashSet<>();
                for (SimQueue.Received r : batch) {
                    failed.add(r.delivery().sqsId());
                }
            }
            queue.done(batch, failed);
        }
    }

    /** The environment of a simulated container, as Lambda would set it. */
    static Map<String, String> env(SimConfig config, Path rules, String redisUrl, boolean guard) {
        Map<String, String> env = new HashMap<>();
        env.put("GUARD_ENABLED", Boolean.toString(guard));
        if (redisUrl != null) {
            env.put("REDIS_URL", redisUrl);
        }
        env.put("GUARD_TTL_SECONDS", Integer.toString(config.guardTtlSeconds()));
        env.put("ANSWERED_TTL_SECONDS", Integer.toString(config.answeredTtlSeconds()));
        env.put("GENERATOR", "scripted");
        env.put("GENERATOR_DELAY_MS", Integer.toString(config.generatorMs()));
        env.put("SCRIPTED_REPLIES", rules.toString());
        env.put("REPLY_SINK", "stdout");
        env.put("LOG_LEVEL", "INFO");
        if (guard) {
            env.putAll(config.extraEnv());
        }
        return env;
    }

    static List<JobRecord> parseLog(Lines log) {
        List<JobRecord> jobs = new ArrayList<>();
        for (Lines.Line line : log.all()) {
            if (!line.text().startsWith("{")) {
                continue;
            }
            JsonNode node = read(line.text());
            if (!node.has("outcome")) {
                continue; // EMF metrics documents
            }
            int generations = node.has("rounds") ? node.get("rounds").asInt() : node.has("replyLength") ? 1 : 0;
            jobs.add(new JobRecord(text(node, "matchId"), text(node, "messageId"), text(node, "sqsMessageId"),
                    node.path("receiveCount").asInt(1), node.get("outcome").asText(), node.path("guardMs").asDouble(0),
                    generations));
        }
        return jobs;
    }

    static List<DeliveredReply> parseReplies(Lines replies) {
        List<DeliveredReply> delivered = new ArrayList<>();
        for (Lines.Line line : replies.all()) {
            JsonNode node = read(line.text());
            List<String> inReplyTo = new ArrayList<>();
            node.get("inReplyTo").forEach(id -> inReplyTo.add(id.asText()));
            delivered.add(new DeliveredReply(node.get("matchId").asText(), inReplyTo, node.get("reply").asText(), line.atNanos()));
        }
        return delivered;
    }

    private static String text(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.get(field).asText() : null;
    }

    private static JsonNode read(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException("not a JSON line: " + line, e);
        }
    }
}
