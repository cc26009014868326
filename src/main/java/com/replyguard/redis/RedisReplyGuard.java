package com.replyguard.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.replyguard.config.GuardSettings;
import com.replyguard.config.RedisSettings;
import com.replyguard.core.HandedOverMessage;
import com.replyguard.core.Job;
import com.replyguard.core.Reply;
import com.replyguard.core.ReplyGuard;
import com.replyguard.similarity.ChatText;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The guard in Redis: one Lua script per step, one round trip each, every key of a match in one
 * hash slot and with a TTL. See the header of each {@code .lua} file for its keys, arguments and
 * result, and {@link com.replyguard.core.ReplyPipeline} for the protocol they make.
 *
 * <p>A command that fails without an answer (timed out, cut off) may have run: it is retried once,
 * with the same arguments — the same owner token, the same replyId — which every script takes as
 * the same step ({@link RedisConnector#maybeRan}). Only then does the guard give up, and the
 * pipeline fails open.
 */
public final class RedisReplyGuard implements ReplyGuard, AutoCloseable {

    /** Entries kept per recent list: a chat produces far fewer within one guard TTL. */
    static final int RECENT_ENTRIES = 20;
    /** The most messages the holder's handed-over list keeps; a later one waits on the queue. */
    static final int HANDOVER_MAX_ENTRIES = 20;
    /** Failed generations after which a handed-over message is parked (its own record goes on alone). */
    static final int PARK_AFTER_FAILURES = 3;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final LuaScript ADMIT = LuaScript.load("admit.lua", ScriptOutputType.MULTI);
    private static final LuaScript COMMIT = LuaScript.load("commit.lua", ScriptOutputType.MULTI);
    private static final LuaScript RELEASE = LuaScript.load("release.lua", ScriptOutputType.MULTI);
    private static final LuaScript MARK_REPEATS = LuaScript.load("mark-repeats.lua", ScriptOutputType.INTEGER);
    private static final LuaScript CONFIRM = LuaScript.load("confirm.lua", ScriptOutputType.INTEGER);
    private static final LuaScript RECORD = LuaScript.load("record.lua", ScriptOutputType.INTEGER);

    private volatile RedisConnector redis;
    private volatile boolean closed;
    private final RedisSettings settings;
    private final Clock clock;
    private final String windowMillis;
    private final String answeredTtlMillis;

    private RedisReplyGuard(RedisSettings settings, Clock clock, GuardSettings guard) {
        this.settings = settings;
        this.redis = RedisConnector.create(settings);
        this.clock = clock;
        this.windowMillis = Long.toString(guard.ttl().toMillis());
        // handed-over messages, parked ones and the outbox live as long as the answered markers
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
    public Admission admit(Attempt attempt, Job lead, List<String> askedIds) {
        MatchKeys keys = MatchKeys.of(lead.matchId());
        List<String> keyList = new ArrayList<>(keys.shared());
        askedIds.forEach(id -> keyList.add(keys.answered(id)));
        List<Object> result = run(ADMIT, keyList, attempt.token(), lead.messageId(), now(), millis(attempt.lease()),
                windowMillis, ChatText.normalized(lead.userMessage()), "admit", "", answeredTtlMillis,
                Integer.toString(HANDOVER_MAX_ENTRIES));
        return admission(askedIds, result);
    }

    @Override
    public Admission handOver(Attempt attempt, Job job) {
        MatchKeys keys = MatchKeys.of(job.matchId());
        List<String> keyList = new ArrayList<>(keys.shared());
        keyList.add(keys.answered(job.messageId()));
        long now = clock.millis();
        List<Object> result = run(ADMIT, keyList, attempt.token(), job.messageId(), Long.toString(now),
                millis(attempt.lease()), windowMillis, ChatText.normalized(job.userMessage()), "handover",
                handedOverEntry(new HandedOverMessage(job.messageId(), job.userMessage(), job.sentAt(), now)),
                answeredTtlMillis, Integer.toString(HANDOVER_MAX_ENTRIES));
        return admission(List.of(job.messageId()), result);
    }

    @Override
    public void markRepeats(String matchId, List<String> messageIds) {
        MatchKeys keys = MatchKeys.of(matchId);
        run(MARK_REPEATS, messageIds.stream().map(keys::answered).toList(), answeredTtlMillis);
    }

    @Override
    public Commit commit(Attempt attempt, String matchId, CommitRequest request) {
        MatchKeys keys = MatchKeys.of(matchId);
        List<String> keyList = new ArrayList<>(keys.shared());
        Reply reply = request.reply();
        List<String> args = new ArrayList<>(List.of(attempt.token(), reply == null ? "" : reply.replyId(), now(),
                windowMillis, answeredTtlMillis, Integer.toString(RECENT_ENTRIES), millis(attempt.lease()),
                request.force() ? "1" : "0", reply == null ? "" : outboxEntry(reply),
                reply == null ? "" : recentReplyEntry(reply.reply(), request.answers()),
                Integer.toString(request.answers().size()), Integer.toString(request.repeats().size())));
        for (Answer answer : request.answers()) {
            keyList.add(keys.answered(answer.messageId()));
            args.add(answer.messageId());
            args.add(ChatText.normalized(answer.text()));
        }
        for (String repeat : request.repeats()) {
            keyList.add(keys.answered(repeat));
            args.add(repeat);
        }
        args.addAll(request.deferred());
        List<Object> result = run(COMMIT, keyList, args.toArray(String[]::new));
        return switch ((String) result.getFirst()) {
            case "LOST" -> new Commit.Lost();
            case "PENDING" -> new Commit.Pending(handedOver(result.get(1), null));
            case "COMMITTED" -> new Commit.Committed(handedOver(result.get(1), null));
            default -> throw new GuardUnavailableException("unexpected commit result " + result.getFirst(), null, true);
        };
    }

    @Override
    @SuppressWarnings("unchecked")
    public Release release(Attempt attempt, String matchId, List<String> failedHandedOverIds, List<String> repeats) {
        MatchKeys keys = MatchKeys.of(matchId);
        List<String> keyList = new ArrayList<>(List.of(keys.flag(), keys.handover(), keys.attempts(), keys.parked()));
        repeats.forEach(id -> keyList.add(keys.answered(id)));
        List<String> args = new ArrayList<>(List.of(attempt.token(), Integer.toString(PARK_AFTER_FAILURES),
                answeredTtlMillis, answeredTtlMillis, answeredTtlMillis, Integer.toString(failedHandedOverIds.size())));
        args.addAll(failedHandedOverIds);
        args.addAll(repeats);
        List<Object> result = run(RELEASE, keyList, args.toArray(String[]::new));
        return new Release((List<String>) result.get(1));
    }

    @Override
    public CompletionStage<Void> confirm(String matchId, String replyId) {
        MatchKeys keys = MatchKeys.of(matchId);
        return redis.<Long>runWithoutWaiting(CONFIRM, new String[] {keys.outbox()}, new String[] {replyId})
                .<Void>thenApply(removed -> null);
    }

    @Override
    public void record(Attempt attempt, String matchId, Reply reply) {
        MatchKeys keys = MatchKeys.of(matchId);
        List<String> keyList = new ArrayList<>(List.of(keys.flag(), keys.handover(), keys.attempts(), keys.outbox()));
        List<String> args = new ArrayList<>(List.of(attempt.token(), reply == null ? "" : reply.replyId(), answeredTtlMillis));
        if (reply != null) {
            reply.inReplyTo().forEach(id -> {
                keyList.add(keys.answered(id));
                args.add(id);
            });
        }
        try {
            // on the connection already open, if any: a stalled Redis is waited for, a down one costs nothing
            redis.runIfConnected(RECORD, keyList.toArray(String[]::new), args.toArray(String[]::new));
        } catch (RedisException | IllegalStateException e) {
            throw unavailable(RECORD, e, RedisConnector.maybeRan(e));
        }
    }

    @Override
    public boolean healthy() {
        return redis.healthy();
    }

    @Override
    public synchronized void close() {
        closed = true;
        redis.close();
    }

    // ---------------------------------------------------------------- results

    @SuppressWarnings("unchecked")
    private Admission admission(List<String> asked, List<Object> result) {
        String status = (String) result.getFirst();
        return switch (status) {
            case "ANSWERED" -> new Admission.AlreadyAnswered();
            case "IN_PROGRESS" -> new Admission.InProgress((String) result.get(1), leaseLeft(result.get(2)),
                    (String) result.get(3), states(asked, (List<Object>) result.get(4)), (List<String>) result.get(5),
                    handedOver(result.get(6), null));
            case "HANDED_OVER" -> new Admission.HandedOver((String) result.get(1), leaseLeft(result.get(2)));
            case "FULL" -> new Admission.Full((String) result.get(1), leaseLeft(result.get(2)));
            case "GRANTED" -> new Admission.Granted(states(asked, (List<Object>) result.get(1)),
                    (List<String>) result.get(2), recentReplies((List<String>) result.get(3)),
                    handedOver(result.get(4), (List<String>) result.get(5)));
            default -> throw new GuardUnavailableException("unexpected admit result " + status, null, true);
        };
    }

    private static Duration leaseLeft(Object pttl) {
        long millis = Long.parseLong(String.valueOf(pttl));
        return Duration.ofMillis(Math.max(0, millis));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, MessageState> states(List<String> asked, List<Object> markers) {
        Map<String, MessageState> states = new HashMap<>();
        for (int i = 0; i < asked.size() && i < markers.size(); i++) {
            List<String> marker = (List<String>) markers.get(i);
            states.put(asked.get(i), switch (marker.getFirst()) {
                case "1" -> new MessageState.Answered();
                case "P" -> new MessageState.Committed(reply(marker.get(2)), Instant.ofEpochMilli(Long.parseLong(marker.get(1))));
                default -> new MessageState.Unanswered();
            });
        }
        return states;
    }

    private static List<RecentReply> recentReplies(List<String> entries) {
        List<RecentReply> replies = new ArrayList<>();
        for (String entry : entries) {
            try {
                JsonNode node = JSON.readTree(entry);
                List<String> questions = new ArrayList<>();
                node.path("q").forEach(q -> questions.add(q.asText()));
                replies.add(new RecentReply(node.path("r").asText(), questions));
            } catch (JsonProcessingException e) {
                // an entry of an earlier version (plain text): a reply without its questions
                replies.add(new RecentReply(entry, List.of()));
            }
        }
        return replies;
    }

    @SuppressWarnings("unchecked")
    private static List<HandedOverMessage> handedOver(Object entries, List<String> attempts) {
        List<HandedOverMessage> messages = new ArrayList<>();
        List<String> list = (List<String>) entries;
        for (int i = 0; i < list.size(); i++) {
            try {
                JsonNode node = JSON.readTree(list.get(i));
                int failed = attempts == null || i >= attempts.size() ? 0 : Integer.parseInt(attempts.get(i));
                messages.add(new HandedOverMessage(node.get("id").asText(), node.get("text").asText(),
                        node.hasNonNull("sentAt") ? Instant.parse(node.get("sentAt").asText()) : null,
                        node.get("at").asLong(), failed));
            } catch (JsonProcessingException | RuntimeException e) {
                throw new GuardUnavailableException("unreadable handed-over entry in Redis", e, false);
            }
        }
        return messages;
    }

    // ---------------------------------------------------------------- entries written

    private static String handedOverEntry(HandedOverMessage message) {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", message.messageId());
        node.put("text", message.text());
        if (message.sentAt() != null) {
            node.put("sentAt", message.sentAt().toString());
        }
        node.put("at", message.handedOverAt());
        return node.toString();
    }

    /** The reply as the outbox keeps it, to be re-sent whole, same replyId, if its delivery is never confirmed. */
    static String outboxEntry(Reply reply) {
        ObjectNode node = JSON.createObjectNode();
        node.put("replyId", reply.replyId());
        node.put("matchId", reply.matchId());
        ArrayNode ids = node.putArray("inReplyTo");
        reply.inReplyTo().forEach(ids::add);
        node.put("reply", reply.reply());
        node.put("generatedAt", reply.generatedAt().toString());
        return node.toString();
    }

    static Reply reply(String outboxEntry) {
        try {
            JsonNode node = JSON.readTree(outboxEntry);
            List<String> ids = new ArrayList<>();
            node.get("inReplyTo").forEach(id -> ids.add(id.asText()));
            return new Reply(node.get("replyId").asText(), node.get("matchId").asText(), ids, node.get("reply").asText(),
                    Instant.parse(node.get("generatedAt").asText()));
        } catch (JsonProcessingException | RuntimeException e) {
            throw new GuardUnavailableException("unreadable outbox entry in Redis", e, false);
        }
    }

    /** The reply, normalised, with the questions it answers: the duplicate-reply check compares both. */
    private static String recentReplyEntry(String reply, List<Answer> answers) {
        ObjectNode node = JSON.createObjectNode();
        node.put("r", ChatText.normalized(reply));
        ArrayNode questions = node.putArray("q");
        answers.forEach(a -> questions.add(ChatText.normalized(a.text())));
        return node.toString();
    }

    private String now() {
        return Long.toString(clock.millis());
    }

    private static String millis(Duration duration) {
        return Long.toString(Math.max(1, duration.toMillis()));
    }

    // ---------------------------------------------------------------- running scripts

    /**
     * Runs a script; a failure that may have run it is retried once, same arguments; one that did
     * not run it, while Redis lost a moment ago may be coming back, is sent again once it is
     * ({@link RedisConnector#awaitReturn}); anything else, or a second failure, is
     * {@link GuardUnavailableException} (the pipeline fails open).
     */
    private <T> T run(LuaScript script, List<String> keys, String... args) {
        String[] keyArray = keys.toArray(String[]::new);
        boolean retried = false;
        boolean waited = false;
        boolean mayHaveRun = false;
        long waitedNanos = 0;
        while (true) {
            try {
                return redis.run(script, keyArray, args, retried, !retried);
            } catch (RedisException | IllegalStateException e) {
                boolean ran = RedisConnector.maybeRan(e);
                mayHaveRun |= ran;
                if (ran && !retried) {
                    retried = true; // the one retry of a result unknown
                    continue;
                }
                if (!ran && !waited) {
                    long start = System.nanoTime();
                    waited = redis.awaitReturn(); // not sent: Redis may have been lost a moment ago
                    waitedNanos = System.nanoTime() - start;
                    if (waited) {
                        continue;
                    }
                }
                throw unavailable(script, e, mayHaveRun, (retried ? "; retried once" : "")
                        + (waitedNanos >= 1_000_000 ? "; waited " + waitedNanos / 1_000_000 + " ms for Redis" : ""));
            }
        }
    }

    private static GuardUnavailableException unavailable(LuaScript script, RuntimeException e, boolean maybeRan) {
        return unavailable(script, e, maybeRan, "");
    }

    private static GuardUnavailableException unavailable(LuaScript script, RuntimeException e, boolean maybeRan, String tried) {
        return new GuardUnavailableException(script.name() + ": " + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : " " + e.getMessage()) + tried, e, maybeRan);
    }
}
