package com.replyguard.bench;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.replyguard.config.WorkerConfig;
import com.replyguard.core.Job;
import com.replyguard.core.Reply;
import com.replyguard.core.ReplyGuard;
import com.replyguard.lambda.ReplyGuardHandler;
import com.replyguard.redis.RedisReplyGuard;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Throughput of one container — the real handler, batches of 10 SQS records of 10 different
 * matches, scripted generator with no latency, log and replies written to a discarding stream — and,
 * in the same run on the same Redis, Redis's own limits: one connection doing PINGs back to back,
 * and many EVALSHAs of an empty script in flight at once.
 */
public final class Throughput {

    private static final int BATCH = 10;

    private Throughput() {
    }

    public static String run(String[] args, Path outDir, PrintStream out) throws Exception {
        int seconds = 10;
        String redisUrl = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--redis-url" -> redisUrl = args[++i];
                default -> throw new IllegalArgumentException("throughput [--seconds N] [--redis-url URL], got " + args[i]);
            }
        }
        String loadBefore = Load.now();
        StringBuilder md = new StringBuilder();
        try (LocalRedis redis = LocalRedis.start(redisUrl)) {
            md.append("Machine: ").append(Machine.describe()).append("; load average before: ").append(loadBefore)
                    .append("; ").append(redis.describe()).append(".\n\n");
            double ping = pingOneConnection(redis.url(), 3);
            double evalsha = evalshaInFlight(redis.url(), 4, 128, 3);
            redis.flushAll();
            double guardCeiling = guardScriptsConcurrent(redis.url(), 32, 3);
            redis.flushAll();
            double newMessages = container(redis.url(), true, false, seconds);
            double answered = container(redis.url(), true, true, seconds);
            double noGuard = container(null, false, false, seconds);
            md.append("| what | per second | Redis commands per second |\n|---|---:|---:|\n");
            md.append(row("Redis: one connection, PING after PING (round-trip bound)", ping, ping));
            md.append(row("Redis: EVALSHA of an empty script, 4 connections × 128 in flight (the server's limit, same machine)",
                    evalsha, evalsha));
            md.append(row("Redis: the guard's reply path (admit + commit scripts), 32 threads on one guard — messages", guardCeiling,
                    2 * guardCeiling));
            md.append(row("one container, batches of 10 new messages (reply path: admit + commit) — records", newMessages,
                    2 * newMessages));
            md.append(row("one container, batches of 10 messages already answered (admit only) — records", answered, answered));
            md.append(row("one container, no guard (GUARD_ENABLED=false) — records", noGuard, 0));
            md.append(String.format(Locale.ROOT, "%nOne container on the reply path sends %.0f EVALSHA/s: %.0f %% of the "
                            + "empty-script limit measured above, %.0f %% of the guard scripts' own ceiling.%n",
                    2 * newMessages, 100 * 2 * newMessages / evalsha, 100 * newMessages / guardCeiling));
            md.append("\nLoad average after: ").append(Load.now()).append(".\n");
        }
        Files.createDirectories(outDir);
        Path file = outDir.resolve("throughput.md");
        Files.writeString(file, md.toString(), StandardCharsets.UTF_8);
        out.println(md);
        out.println("written: " + file);
        return md.toString();
    }

    private static String row(String what, double perSecond, double commands) {
        return String.format(Locale.ROOT, "| %s | %,.0f | %s |%n", what, perSecond,
                commands == 0 ? "0" : String.format(Locale.ROOT, "%,.0f", commands));
    }

    static double pingOneConnection(String url, int seconds) {
        RedisClient client = RedisClient.create(url);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            var sync = c.sync();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            while (System.nanoTime() < end) {
                sync.ping();
            }
            long count = 0;
            long start = System.nanoTime();
            end = start + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < end) {
                sync.ping();
                count++;
            }
            return count / ((System.nanoTime() - start) / 1e9);
        } finally {
            client.shutdown();
        }
    }

    static double evalshaInFlight(String url, int connections, int window, int seconds) throws InterruptedException {
        RedisClient client = RedisClient.create(url);
        List<StatefulRedisConnection<String, String>> open = new ArrayList<>();
        try {
            AtomicLong done = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            long warm = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            long end = warm + TimeUnit.SECONDS.toNanos(seconds);
            for (int i = 0; i < connections; i++) {
                StatefulRedisConnection<String, String> c = client.connect();
                open.add(c);
                RedisAsyncCommands<String, String> async = c.async();
                String sha = c.sync().scriptLoad("return 0");
                threads.add(Thread.ofPlatform().start(() -> {
                    Semaphore permits = new Semaphore(window);
                    while (System.nanoTime() < end) {
                        permits.acquireUninterruptibly();
                        RedisFuture<Long> f = async.evalsha(sha, ScriptOutputType.INTEGER);
                        f.whenComplete((v, e) -> {
                            permits.release();
                            long now = System.nanoTime();
                            if (now >= warm && now < end) {
                                done.incrementAndGet();
                            }
                        });
                    }
                    permits.acquireUninterruptibly(window);
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            return done.get() / (double) seconds;
        } finally {
            open.forEach(StatefulRedisConnection::close);
            client.shutdown();
        }
    }

    static double guardScriptsConcurrent(String url, int threads, int seconds) throws InterruptedException {
        WorkerConfig config = WorkerConfig.fromEnvironment(Map.of("REDIS_URL", url, "REDIS_TIMEOUT_MS", "5000"));
        try (RedisReplyGuard guard = RedisReplyGuard.create(config.redis(), config.guard(), Clock.systemUTC())) {
            AtomicLong done = new AtomicLong();
            AtomicLong sequence = new AtomicLong();
            long warm = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            long end = warm + TimeUnit.SECONDS.toNanos(seconds);
            List<Thread> workers = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                workers.add(Thread.ofPlatform().start(() -> {
                    while (System.nanoTime() < end) {
                        Job job = new Job("tp-" + sequence.incrementAndGet(), "msg-1", "sqs", 1, "tu fais quoi ce soir ?",
                                null, List.of(), null);
                        ReplyGuard.Attempt attempt = new ReplyGuard.Attempt(java.util.UUID.randomUUID().toString(),
                                java.time.Duration.ofSeconds(30));
                        guard.admit(attempt, job, List.of(job.messageId()));
                        Reply reply = new Reply(java.util.UUID.randomUUID().toString(), job.matchId(), List.of(job.messageId()),
                                "Ce soir je vais au cinéma", java.time.Instant.now());
                        guard.commit(attempt, job.matchId(), new ReplyGuard.CommitRequest(reply,
                                List.of(ReplyGuard.Answer.of(job)), List.of(), List.of(), false));
                        long now = System.nanoTime();
                        if (now >= warm && now < end) {
                            done.incrementAndGet();
                        }
                    }
                }));
            }
            for (Thread t : workers) {
                t.join();
            }
            return done.get() / (double) seconds;
        }
    }

    /** Records per second through one handler, one batch at a time as Lambda invokes a container. */
    static double container(String url, boolean guard, boolean replay, int seconds) throws ExecutionException {
        Map<String, String> env = new HashMap<>();
        env.put("GUARD_ENABLED", Boolean.toString(guard));
        if (url != null) {
            env.put("REDIS_URL", url);
        }
        env.put("GENERATOR", "scripted");
        env.put("GENERATOR_DELAY_MS", "0");
        env.put("REPLY_SINK", "stdout");
        env.put("REDIS_TIMEOUT_MS", "5000");
        PrintStream discard = new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);
        try (ReplyGuardHandler handler = new ReplyGuardHandler(WorkerConfig.fromEnvironment(env), Clock.systemUTC(), discard, discard)) {
            long batch = 0;
            long warm = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            long end = warm + TimeUnit.SECONDS.toNanos(seconds);
            long records = 0;
            String prefix = "tpc-" + guard + "-" + replay + "-";
            while (true) {
                long now = System.nanoTime();
                if (now >= end) {
                    break;
                }
                SQSBatchResponse response = handler.handleRequest(event(prefix, replay ? 0 : batch++), null);
                if (!response.getBatchItemFailures().isEmpty()) {
                    throw new ExecutionException("records failed: " + response.getBatchItemFailures().size(), null);
                }
                if (now >= warm) {
                    records += BATCH;
                }
            }
            return records / (double) seconds;
        }
    }

    private static SQSEvent event(String prefix, long batch) {
        List<SQSEvent.SQSMessage> records = new ArrayList<>();
        for (int i = 0; i < BATCH; i++) {
            String match = prefix + batch + "-" + i;
            SQSEvent.SQSMessage record = new SQSEvent.SQSMessage();
            record.setMessageId("sqs-" + match);
            record.setBody("{\"matchId\":\"" + match + "\",\"messageId\":\"msg-1\",\"userMessage\":\"tu fais quoi ce soir ?\"}");
            record.setAttributes(Map.of("ApproximateReceiveCount", "1"));
            records.add(record);
        }
        SQSEvent event = new SQSEvent();
        event.setRecords(records);
        return event;
    }

}
