package com.replyguard.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.replyguard.config.GuardSettings;
import com.replyguard.config.RedisSettings;
import com.replyguard.core.HandedOverMessage;
import com.replyguard.core.Job;
import com.replyguard.core.ReplyGuard;
import com.replyguard.similarity.ChatText;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The guard in Redis: four Lua scripts, one round trip each, every key of a match in one hash slot
 * and with a TTL. See the header of each {@code .lua} file for its keys, arguments and result.
 */
public final class RedisReplyGuard implements ReplyGuard, AutoCloseable {

    /** Entries kept per recent list: a chat produces far fewer within one guard TTL. */
    static final int RECENT_ENTRIES = 20;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final LuaScript ADMIT = LuaScript.load("admit.lua", ScriptOutputType.MULTI);
    private static final LuaScript COMMIT = LuaScript.load("commit.lua", ScriptOutputType.MULTI);
    private static final LuaScript ROLLBACK = LuaScript.load("rollback.lua", ScriptOutputType.INTEGER);
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
        // handed-over messages must outlive a failed holder until its retry: keep them as long as answers
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
        return redis.connectNow();
    }

    @Override
    public Admission admit(Job job, List<Job> followers) {
        MatchKeys keys = MatchKeys.of(job.matchId());
        List<String> keyList = new ArrayList<>(List.of(keys.flag(), keys.questions(), keys.replies(), keys.handover()));
        List<String> asked = new ArrayList<>();
        asked.add(job.messageId());
        followers.forEach(f -> asked.add(f.messageId()));
        asked.forEach(id -> keyList.add(keys.answered(id)));
        String token = newToken();
        List<Object> result = run(ADMIT, keyList, token, job.messageId(), now(), guardTtlMillis,
                ChatText.normalized(job.userMessage()), "admit", "", answeredTtlMillis);
        return admission(job, token, asked, result);
    }

    @Override
    public Admission handOver(Job job) {
        MatchKeys keys = MatchKeys.of(job.matchId());
        String token = newToken();
        long now = clock.millis();
        List<Object> result = run(ADMIT,
                List.of(keys.flag(), keys.questions(), keys.replies(), keys.handover(), keys.answered(job.messageId())),
                token, job.messageId(), Long.toString(now), guardTtlMillis, ChatText.normalized(job.userMessage()),
                "handover", entry(job, now), answeredTtlMillis);
        return admission(job, token, List.of(job.messageId()), result);
    }

    @Override
    public Commit commit(Admission.Granted grant, List<Answer> answers, String sentReply, boolean force) {
        MatchKeys keys = MatchKeys.of(grant.matchId());
        List<String> keyList = new ArrayList<>(List.of(keys.flag(), keys.questions(), keys.replies(), keys.handover()));
        long now = clock.millis();
        List<String> args = new ArrayList<>(List.of(grant.ownerToken(), Long.toString(now), guardTtlMillis,
                answeredTtlMillis, Integer.toString(RECENT_ENTRIES), sentReply == null ? "" : ChatText.normalized(sentReply),
                force ? "1" : "0"));
        for (Answer answer : answers) {
            keyList.add(keys.answered(answer.messageId()));
            args.add(answer.messageId());
            args.add(ChatText.normalized(answer.text()));
        }
        List<Object> result = run(COMMIT, keyList, args.toArray(String[]::new));
        return switch ((String) result.getFirst()) {
            case "LOST" -> new Commit.Lost();
            case "PENDING" -> new Commit.Pending(messages(result.get(1)));
            case "COMMITTED" -> new Commit.Committed(now, messages(result.get(1)));
            default -> throw new GuardUnavailableException("unexpected commit result " + result.getFirst(), null);
        };
    }

    @Override
    public void rollback(Admission.Granted grant, Commit.Committed committed, List<Answer> answers, String sentReply) {
        MatchKeys keys = MatchKeys.of(grant.matchId());
        List<String> keyList = new ArrayList<>(List.of(keys.flag(), keys.questions(), keys.replies(), keys.handover()));
        String at = Long.toString(committed.atMillis());
        List<String> args = new ArrayList<>(List.of(grant.ownerToken(), answeredTtlMillis,
                sentReply == null ? "" : at + "|" + ChatText.normalized(sentReply), Integer.toString(answers.size())));
        for (Answer answer : answers) {
            keyList.add(keys.answered(answer.messageId()));
            args.add(at + "|" + ChatText.normalized(answer.text()));
        }
        for (Answer answer : answers) {
            if (answer.handedOver() != null) {
                args.add(answer.messageId());
                args.add(entry(answer.handedOver()));
            }
        }
        run(ROLLBACK, keyList, args.toArray(String[]::new));
    }

    @Override
    public void release(Admission.Granted grant) {
        if (grant.ownerToken().isEmpty()) {
            return;
        }
        run(RELEASE, List.of(MatchKeys.of(grant.matchId()).flag()), grant.ownerToken());
    }

    @Override
    public synchronized void close() {
        closed = true;
        redis.close();
    }

    @SuppressWarnings("unchecked")
    private Admission admission(Job job, String token, List<String> asked, List<Object> result) {
        String status = (String) result.getFirst();
        return switch (status) {
            case "ANSWERED" -> new Admission.AlreadyAnswered();
            case "IN_PROGRESS" -> new Admission.InProgress((String) result.get(1), Long.parseLong((String) result.get(2)),
                    (String) result.get(3), answeredIds(asked, (List<String>) result.get(4)));
            case "HANDED_OVER" -> new Admission.HandedOver((String) result.get(1));
            case "GRANTED" -> new Admission.Granted(job.matchId(), token, answeredIds(asked, (List<String>) result.get(1)),
                    (List<String>) result.get(2), (List<String>) result.get(3), messages(result.get(4)));
            default -> throw new GuardUnavailableException("unexpected admit result " + status, null);
        };
    }

    private static Set<String> answeredIds(List<String> asked, List<String> flags) {
        Set<String> answered = new HashSet<>();
        for (int i = 0; i < asked.size() && i < flags.size(); i++) {
            if ("1".equals(flags.get(i))) {
                answered.add(asked.get(i));
            }
        }
        return answered;
    }

    /** A fresh token per attempt: created here, never at init (SnapStart would clone it). */
    private static String newToken() {
        return UUID.randomUUID().toString();
    }

    private String now() {
        return Long.toString(clock.millis());
    }

    private static String entry(Job job, long now) {
        return entry(new HandedOverMessage(job.messageId(), job.userMessage(), job.sentAt(), now));
    }

    private static String entry(HandedOverMessage message) {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", message.messageId());
        node.put("text", message.text());
        if (message.sentAt() != null) {
            node.put("sentAt", message.sentAt().toString());
        }
        node.put("at", message.handedOverAt());
        return node.toString();
    }

    @SuppressWarnings("unchecked")
    private static List<HandedOverMessage> messages(Object entries) {
        List<HandedOverMessage> messages = new ArrayList<>();
        for (String entry : (List<String>) entries) {
            try {
                JsonNode node = JSON.readTree(entry);
                messages.add(new HandedOverMessage(node.get("id").asText(), node.get("text").asText(),
                        node.hasNonNull("sentAt") ? Instant.parse(node.get("sentAt").asText()) : null,
                        node.get("at").asLong()));
            } catch (JsonProcessingException | RuntimeException e) {
                throw new GuardUnavailableException("unreadable handed-over entry in Redis", e);
            }
        }
        return messages;
    }

    /** Runs a script; turns any Redis failure into {@link GuardUnavailableException} (fail open). */
    private <T> T run(LuaScript script, List<String> keys, String... args) {
        try {
            return script.run(redis.commands(), keys.toArray(String[]::new), args);
        } catch (RedisException | IllegalStateException e) {
            throw new GuardUnavailableException(script.name() + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
        }
    }
}
