package com.replyguard.redis;

import com.replyguard.config.GuardSettings;
import com.replyguard.config.RedisSettings;
import com.replyguard.core.Job;
import com.replyguard.core.ReplyGuard;
import com.replyguard.similarity.ChatText;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;

import java.time.Clock;
import java.util.List;
import java.util.UUID;

/**
 * The guard in Redis: three Lua scripts, one round trip each, every key of a match in one hash
 * slot and with a TTL. See the header of each {@code .lua} file for its keys, arguments and result.
 */
public final class RedisReplyGuard implements ReplyGuard, AutoCloseable {

    /** Entries kept per recent list: a chat produces far fewer within one guard TTL. */
    static final int RECENT_ENTRIES = 20;

    private static final LuaScript ADMIT = LuaScript.load("admit.lua", ScriptOutputType.MULTI);
    private static final LuaScript COMMIT = LuaScript.load("commit.lua", ScriptOutputType.INTEGER);
    private static final LuaScript RELEASE = LuaScript.load("release.lua", ScriptOutputType.INTEGER);

    private volatile RedisConnector redis;
    private volatile boolean closed;
    private final RedisSettings settings;
    private final Clock clock;
    private final String guardTtlMillis;
    private final String answeredTtlMillis;

    private RedisReplyGuard(RedisSettings settings, Clock clock, GuardSettings guard) {
        this.settings = settings;
        this.redis = RedisConnector.create(settings);
        this.clock = clock;
        this.guardTtlMillis = Long.toString(guard.ttl().toMillis());
        this.answeredTtlMillis = Long.toString(guard.answeredTtl().toMillis());
    }

    public static RedisReplyGuard create(RedisSettings redis, GuardSettings guard, Clock clock) {
        return new RedisReplyGuard(redis, clock, guard);
    }

    /**
     * Closes the connection and the client (its sockets and threads) and puts a fresh, unconnected
     * one in its place, which connects on first use. For SnapStart's {@code beforeCheckpoint}: a
     * snapshot must hold no open connection, since every restored copy would share it.
     */
    public synchronized void disconnect() {
        if (closed) {
            return;
        }
        RedisConnector old = redis;
        redis = RedisConnector.create(settings);
        old.close();
    }

    /**
     * Opens the connection now rather than on the first message (SnapStart's {@code afterRestore}).
     * Best effort: a Redis that cannot be reached is retried on first use, where the guard fails open.
     *
     * @return whether the connection is open
     */
    public boolean connect() {
        try {
            redis.commands();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public Admission admit(Job job) {
        MatchKeys keys = MatchKeys.of(job.matchId());
        // A fresh token per attempt: created here, never at init (SnapStart would clone it).
        String token = UUID.randomUUID().toString();
        List<Object> result = run(ADMIT, keys.all(job.messageId()), token, job.messageId(), now(), guardTtlMillis);
        String status = (String) result.getFirst();
        return switch (status) {
            case "ANSWERED" -> new Admission.AlreadyAnswered();
            case "IN_PROGRESS" -> new Admission.InProgress((String) result.get(1), Long.parseLong((String) result.get(2)));
            case "GRANTED" -> new Admission.Granted(job.matchId(), token, texts(result.get(1)), texts(result.get(2)));
            default -> throw new GuardUnavailableException("unexpected admit result " + status, null);
        };
    }

    @Override
    public boolean commit(Admission.Granted grant, Job job, String sentReply) {
        MatchKeys keys = MatchKeys.of(job.matchId());
        Long cleared = run(COMMIT, keys.all(job.messageId()), grant.ownerToken(), now(), guardTtlMillis, answeredTtlMillis,
                ChatText.normalized(job.userMessage()), sentReply == null ? "" : ChatText.normalized(sentReply),
                Integer.toString(RECENT_ENTRIES));
        return cleared == 1L;
    }

    @Override
    public void release(Admission.Granted grant) {
        run(RELEASE, new String[] {MatchKeys.of(grant.matchId()).flag()}, grant.ownerToken());
    }

    @Override
    public synchronized void close() {
        closed = true;
        redis.close();
    }

    private String now() {
        return Long.toString(clock.millis());
    }

    /** Runs a script; turns any Redis failure into {@link GuardUnavailableException} (fail open). */
    private <T> T run(LuaScript script, String[] keys, String... args) {
        try {
            return script.run(redis.commands(), keys, args);
        } catch (RedisException | IllegalStateException e) {
            throw new GuardUnavailableException(script.name() + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<String> texts(Object list) {
        return (List<String>) list;
    }
}
