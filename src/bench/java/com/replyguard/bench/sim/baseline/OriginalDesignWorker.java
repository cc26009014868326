package com.replyguard.bench.sim.baseline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.replyguard.core.Job;
import com.replyguard.core.Reply;
import com.replyguard.core.ReplyGenerator;
import com.replyguard.core.ReplySink;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import org.apache.commons.text.similarity.LevenshteinDistance;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * BASELINE FOR COMPARISON ONLY — the original design of the guard (SPEC, "The guard's three levels"),
 * re-implemented as the SPEC describes it, with its flaws kept on purpose: it never runs in the
 * worker. Six separate Redis commands on the reply path, each a round trip, none atomic:
 *
 * <ol>
 *   <li>{@code GET} the match's "generating" flag: set → skip ({@code SKIPPED_IN_PROGRESS});</li>
 *   <li>{@code SET} the flag (60 s TTL, no owner);</li>
 *   <li>{@code GET} the match's recent exchanges; a question answered in the last 60 s with a plain
 *       character ratio ≥ 0.70 → {@code DEL} the flag, skip ({@code SKIPPED_SIMILAR_QUESTION});</li>
 *   <li>generate; {@code GET} the recent exchanges again; a reply sent in the last 60 s with a ratio
 *       ≥ 0.80 → {@code DEL} the flag, do not send ({@code DROPPED_DUPLICATE_REPLY});</li>
 *   <li>send; {@code SET} the recent exchanges with this question and reply added (60 s TTL);</li>
 *   <li>{@code DEL} the flag.</li>
 * </ol>
 *
 * The GET-then-SET of steps 1–2 is the race the SPEC's I1 forbids, and the read-modify-write of the
 * recent exchanges (steps 4–5) can lose another job's entry. No memory of answered message ids, no
 * hand-over of rapid sequences (a different message arriving during a generation is skipped, as the
 * original did). If Redis fails, it replies anyway ({@code GUARD_BYPASSED}). The SPEC does not give
 * the seed's key names: one flag key and one key holding the recent exchanges as JSON is the closest
 * reading of "GET … SET … 60 s TTL … DEL" in six round trips.
 *
 * <p>The similarity is the plain ratio the README compares against: 1 − Levenshtein / longer length,
 * on the lower-cased raw text ({@code TextSimilarityTest.plainRatio}).
 */
public final class OriginalDesignWorker implements AutoCloseable {

    public static final double QUESTION_SIMILARITY = 0.70;
    public static final double REPLY_SIMILARITY = 0.80;

    /** How one job ended, as the worker's log would say, and what it cost. */
    public record Result(String outcome, double guardMillis, int generations, int redisCommands) {
    }

    /** One recent exchange, as stored. */
    public record Exchange(String q, String r, long at) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<Exchange>> EXCHANGES = new TypeReference<>() {
    };

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisCommands<String, String> redis;
    private final ReplyGenerator generator;
    private final ReplySink sink;
    private final Clock clock;
    private final long ttlSeconds;

    /**
     * @param ttl     the flag's and recent exchanges' lifetime (the original's 60 s, scaled)
     * @param timeout per-command timeout, as the worker's REDIS_TIMEOUT_MS
     */
    public OriginalDesignWorker(String redisUrl, Duration ttl, Duration timeout, ReplyGenerator generator, ReplySink sink,
                                Clock clock) {
        RedisURI uri = RedisURI.create(redisUrl);
        uri.setTimeout(timeout);
        this.client = RedisClient.create(uri);
        this.connection = client.connect(StringCodec.UTF8);
        this.redis = connection.sync();
        this.generator = generator;
        this.sink = sink;
        this.clock = clock;
        this.ttlSeconds = ttl.toSeconds();
    }

    public Result process(Job job) {
        String flag = "orig:{" + job.matchId() + "}:generating";
        String recent = "orig:{" + job.matchId() + "}:recent";
        Timer redisTime = new Timer();
        try {
            // 1–2: check, then set — two round trips, a race between them
            if (redisTime.time(() -> redis.get(flag)) != null) {
                return new Result("SKIPPED_IN_PROGRESS", redisTime.millis(), 0, redisTime.commands());
            }
            redisTime.time(() -> redis.set(flag, job.messageId(), SetArgs.Builder.ex(ttlSeconds)));
            // 3: similar recent question
            List<Exchange> exchanges = fresh(redisTime.time(() -> redis.get(recent)));
            for (Exchange e : exchanges) {
                if (plainRatio(e.q(), job.userMessage()) >= QUESTION_SIMILARITY) {
                    redisTime.time(() -> redis.del(flag));
                    return new Result("SKIPPED_SIMILAR_QUESTION", redisTime.millis(), 0, redisTime.commands());
                }
            }
        } catch (RedisException e) {
            return bypass(job, redisTime);
        }
        String reply;
        try {
            reply = generator.generate(job, List.of(job.userMessage()));
        } catch (ReplyGenerator.GenerationException e) {
            return new Result("FAILED", redisTime.millis(), 1, redisTime.commands());
        }
        List<Exchange> exchanges;
        try {
            // 4: duplicate reply
            exchanges = fresh(redisTime.time(() -> redis.get(recent)));
            for (Exchange e : exchanges) {
                if (plainRatio(e.r(), reply) >= REPLY_SIMILARITY) {
                    redisTime.time(() -> redis.del(flag));
                    return new Result("DROPPED_DUPLICATE_REPLY", redisTime.millis(), 1, redisTime.commands());
                }
            }
        } catch (RedisException e) {
            exchanges = null; // fail open: send anyway
        }
        if (!deliver(job, reply)) {
            return new Result("FAILED", redisTime.millis(), 1, redisTime.commands());
        }
        if (exchanges != null) {
            try {
                // 5–6: store the exchange (read-modify-write of the list read in step 4), clear the flag
                List<Exchange> updated = new ArrayList<>(exchanges);
                updated.add(new Exchange(job.userMessage(), reply, clock.millis()));
                String stored = JSON.writeValueAsString(updated);
                redisTime.time(() -> redis.set(recent, stored, SetArgs.Builder.ex(ttlSeconds)));
                redisTime.time(() -> redis.del(flag));
            } catch (RedisException | JsonProcessingException e) {
                // the flag expires with its TTL
            }
        }
        return new Result("REPLIED", redisTime.millis(), 1, redisTime.commands());
    }

    private Result bypass(Job job, Timer redisTime) {
        try {
            String reply = generator.generate(job, List.of(job.userMessage()));
            return new Result(deliver(job, reply) ? "GUARD_BYPASSED" : "FAILED", redisTime.millis(), 1, redisTime.commands());
        } catch (ReplyGenerator.GenerationException e) {
            return new Result("FAILED", redisTime.millis(), 1, redisTime.commands());
        }
    }

    private boolean deliver(Job job, String reply) {
        try {
            sink.deliver(new Reply(java.util.UUID.randomUUID().toString(), job.matchId(), List.of(job.messageId()), reply, clock.instant()));
            return true;
        } catch (ReplySink.DeliveryException | RuntimeException e) {
            return false;
        }
    }

    /** The exchanges of the last TTL (the key's own TTL also drops them, all at once). */
    private List<Exchange> fresh(String stored) {
        if (stored == null) {
            return List.of();
        }
        try {
            long oldest = clock.millis() - ttlSeconds * 1000;
            return JSON.readValue(stored, EXCHANGES).stream().filter(e -> e.at() >= oldest).toList();
        } catch (JsonProcessingException e) {
            return List.of();
        }
    }

    /** The original's similarity: 1 − edit distance / longer length, on the lower-cased raw text. */
    public static double plainRatio(String a, String b) {
        String x = a.toLowerCase(Locale.ROOT);
        String y = b.toLowerCase(Locale.ROOT);
        int longer = Math.max(x.length(), y.length());
        return longer == 0 ? 1 : 1 - (double) LevenshteinDistance.getDefaultInstance().apply(x, y) / longer;
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }

    /** Wall time spent in Redis commands, and how many were sent. */
    private static final class Timer {
        private long nanos;
        private final AtomicInteger commands = new AtomicInteger();

        <T> T time(java.util.function.Supplier<T> command) {
            long start = System.nanoTime();
            try {
                return command.get();
            } finally {
                nanos += System.nanoTime() - start;
                commands.incrementAndGet();
            }
        }

        double millis() {
            return nanos / 1e6;
        }

        int commands() {
            return commands.get();
        }
    }
}
