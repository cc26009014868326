package com.replyguard.bench.jmh;

import com.replyguard.config.WorkerConfig;
import com.replyguard.core.Job;
import com.replyguard.core.ReplyGuard;
import com.replyguard.core.ReplyGuard.Admission;
import com.replyguard.local.EmbeddedRedis;
import com.replyguard.redis.RedisReplyGuard;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The guard's round trips on a local Redis, one path per benchmark, against the floor: a bare
 * {@code PING} and an {@code EVALSHA} of an empty script ({@code return 0}) on the same server, from the same JVM,
 * one thread. The benchmark names carry the number of round trips of the path (the ratio to the
 * floor is computed by {@code Bench jmh}). The Redis is the one given by {@code -Dbench.redis.url},
 * else an embedded one started by the fork.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class GuardRoundTripBenchmark {

    private EmbeddedRedis embedded;
    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;
    private RedisCommands<String, String> redis;
    private String emptyScript;
    private RedisReplyGuard guard;
    private long sequence;
    private Job answered;
    private Job busyOther;
    private Job repeat;

    @Setup(Level.Trial)
    public void start() {
        String url = System.getProperty("bench.redis.url");
        if (url == null) {
            embedded = EmbeddedRedis.start();
            url = embedded.url();
        }
        client = RedisClient.create(url);
        connection = client.connect();
        redis = connection.sync();
        redis.flushall(); // each fork seeds its own state; the server is the benchmark's alone
        // Lettuce refuses a zero-length script: "return 0" is the smallest that does nothing
        emptyScript = redis.scriptLoad("return 0");
        // long TTLs: the seeded state (an answered message, a held flag) must last the whole trial
        WorkerConfig config = WorkerConfig.fromEnvironment(Map.of("REDIS_URL", url, "GUARD_TTL_SECONDS", "900",
                "ANSWERED_TTL_SECONDS", "900", "REDIS_TIMEOUT_MS", "5000"));
        guard = RedisReplyGuard.create(config.redis(), config.guard(), Clock.systemUTC());

        answered = job("jmh-answered", "msg-1", "tu fais quoi ce soir ?");
        Admission.Granted grant = (Admission.Granted) guard.admit(answered, List.of());
        guard.commit(grant, List.of(ReplyGuard.Answer.of(answered)), "Je vais au cinéma", false);

        // a flag held for the whole trial by a job that never finishes
        Job holder = job("jmh-busy", "msg-1", "salut");
        guard.admit(holder, List.of());
        busyOther = job("jmh-busy", "msg-2", "tu habites où ?");

        repeat = job("jmh-similar", "msg-2", "Tu fais quoi ce soir ??");
        Job first = job("jmh-similar", "msg-1", "tu fais quoi ce soir ?");
        Admission.Granted firstGrant = (Admission.Granted) guard.admit(first, List.of());
        guard.commit(firstGrant, List.of(ReplyGuard.Answer.of(first)), "Je vais au cinéma", false);
    }

    @TearDown(Level.Trial)
    public void stop() {
        guard.close();
        connection.close();
        client.shutdown();
        if (embedded != null) {
            embedded.close();
        }
    }

    private static Job job(String matchId, String messageId, String text) {
        return new Job(matchId, messageId, "sqs-" + messageId, 1, text, null, List.of(), null);
    }

    /** Floor: one round trip, no work. */
    @Benchmark
    public String floorPing() {
        return redis.ping();
    }

    /** Floor: one EVALSHA of an empty script ({@code return 0}), no keys. */
    @Benchmark
    public Object floorEvalshaEmptyScript() {
        return redis.evalsha(emptyScript, ScriptOutputType.INTEGER);
    }

    /** A new message of a new match: admit (GRANTED) then commit with the reply — the reply path. */
    @Benchmark
    public Object path2ReplyAdmitThenCommit() {
        Job job = job("jmh-new-" + (sequence++), "msg-1", "tu fais quoi ce soir ?");
        Admission.Granted grant = (Admission.Granted) guard.admit(job, List.of());
        return guard.commit(grant, List.of(ReplyGuard.Answer.of(job)), "Ce soir je vais au cinéma", false);
    }

    /** A message answered before (redelivery, bridge copy): admit says ANSWERED. */
    @Benchmark
    public Object path1AlreadyAnswered() {
        return guard.admit(answered, List.of());
    }

    /** Another job holds the match's flag: admit says IN_PROGRESS (the same message, or a repeat of it, stops here). */
    @Benchmark
    public Object path1InProgress() {
        return guard.admit(busyOther, List.of());
    }

    /** A different message while another job generates: admit (IN_PROGRESS) then hand-over (COALESCED). */
    @Benchmark
    public Object path2HandOver() {
        guard.admit(busyOther, List.of());
        return guard.handOver(busyOther);
    }

    /** A repeat of a question answered within the TTL: admit (GRANTED, with the recent questions) then release. */
    @Benchmark
    public Object path2SimilarQuestionAdmitThenRelease() {
        Admission.Granted grant = (Admission.Granted) guard.admit(repeat, List.of());
        guard.release(grant);
        return grant;
    }
}
