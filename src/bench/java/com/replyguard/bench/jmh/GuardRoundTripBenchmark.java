package com.replyguard.bench.jmh;

import com.replyguard.config.WorkerConfig;
import com.replyguard.core.Job;
import com.replyguard.core.Reply;
import com.replyguard.core.ReplyGuard.Answer;
import com.replyguard.core.ReplyGuard.Attempt;
import com.replyguard.core.ReplyGuard.CommitRequest;
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
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
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
        reply(answered, "Je vais au cinéma");

        // a flag held for the whole trial by a job that never finishes
        Job holder = job("jmh-busy", "msg-1", "salut");
        guard.admit(new Attempt("jmh-holder", Duration.ofMinutes(15)), holder, List.of(holder.messageId()));
        busyOther = job("jmh-busy", "msg-2", "tu habites où ?");

        Job first = job("jmh-similar", "msg-1", "tu fais quoi ce soir ?");
        reply(first, "Je vais au cinéma");
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

    private static Attempt attempt() {
        return new Attempt(UUID.randomUUID().toString(), Duration.ofSeconds(30));
    }

    /** admit then commit with a reply: the reply path's two round trips. */
    private Object reply(Job job, String text) {
        Attempt attempt = attempt();
        guard.admit(attempt, job, List.of(job.messageId()));
        Reply reply = new Reply(UUID.randomUUID().toString(), job.matchId(), List.of(job.messageId()), text, Instant.now());
        return guard.commit(attempt, job.matchId(), new CommitRequest(reply, List.of(Answer.of(job)), List.of(), List.of(), false));
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
        return reply(job("jmh-new-" + (sequence++), "msg-1", "tu fais quoi ce soir ?"), "Ce soir je vais au cinéma");
    }

    /** A message answered before (redelivery, bridge copy): admit says ANSWERED. */
    @Benchmark
    public Object path1AlreadyAnswered() {
        return guard.admit(attempt(), answered, List.of(answered.messageId()));
    }

    /** Another job holds the match's flag: admit says IN_PROGRESS (the same message, or a repeat of it, stops here). */
    @Benchmark
    public Object path1InProgress() {
        return guard.admit(attempt(), busyOther, List.of(busyOther.messageId()));
    }

    /** A different message while another job generates: admit (IN_PROGRESS) then hand-over (COALESCED). */
    @Benchmark
    public Object path2HandOver() {
        Attempt attempt = attempt();
        guard.admit(attempt, busyOther, List.of(busyOther.messageId()));
        return guard.handOver(attempt, busyOther);
    }

    /** A repeat of a question answered within the TTL: admit (GRANTED, with the recent questions) then a commit of its marker. */
    @Benchmark
    public Object path2SimilarQuestionAdmitThenMark() {
        Job repeat = job("jmh-similar", "msg-r" + (sequence++), "Tu fais quoi ce soir ??");
        Attempt attempt = attempt();
        guard.admit(attempt, repeat, List.of(repeat.messageId()));
        return guard.commit(attempt, repeat.matchId(), new CommitRequest(null, List.of(), List.of(repeat.messageId()),
                List.of(), false));
    }
}
