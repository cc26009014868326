package com.replyguard.redis;

import com.replyguard.config.WorkerConfig;
import com.replyguard.core.HandedOverMessage;
import com.replyguard.core.Job;
import com.replyguard.core.Reply;
import com.replyguard.core.ReplyGuard;
import com.replyguard.core.ReplyGuard.Admission;
import com.replyguard.core.ReplyGuard.Attempt;
import com.replyguard.core.ReplyGuard.CommitRequest;
import com.replyguard.core.ReplyGuard.MessageState;
import com.replyguard.testing.MutableClock;
import com.replyguard.testing.RealRedis;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The Redis guard's scripts against a real Redis server: ownership, idempotence, the outbox, TTLs, hash slots. */
class RedisReplyGuardIntegrationTest {

    private final MutableClock clock = MutableClock.startingNow();
    private RedisReplyGuard guard;

    @BeforeEach
    void connect() {
        RealRedis.flush();
        Map<String, String> env = new java.util.HashMap<>(RealRedis.env());
        env.put("REDIS_TIMEOUT_MS", "5000");
        WorkerConfig config = WorkerConfig.fromEnvironment(env);
        guard = RedisReplyGuard.create(config.redis(), config.guard(), clock);
    }

    @AfterEach
    void close() {
        guard.close();
    }

    private static Job job(String matchId, String messageId, String text) {
        return new Job(matchId, messageId, "sqs-" + messageId, 1, text, null, List.of(), null);
    }

    private static Attempt attempt() {
        return new Attempt(UUID.randomUUID().toString(), Duration.ofSeconds(30));
    }

    private Admission admit(Attempt attempt, Job job) {
        return guard.admit(attempt, job, List.of(job.messageId()));
    }

    private Reply reply(Job job, String text) {
        return new Reply(UUID.randomUUID().toString(), job.matchId(), List.of(job.messageId()), text, clock.instant());
    }

    private ReplyGuard.Commit commit(Attempt attempt, Job job, Reply reply) {
        return guard.commit(attempt, job.matchId(), new CommitRequest(reply, reply == null ? List.of() : List.of(ReplyGuard.Answer.of(job)),
                reply == null ? List.of(job.messageId()) : List.of(), List.of(), false));
    }

    @Test
    void shouldGrantAgain_whenTheSameAttemptAdmitsTwice() {
        Job job = job("m-again", "msg-1", "salut");
        Attempt attempt = attempt();
        assertThat(admit(attempt, job)).isInstanceOf(Admission.Granted.class);
        // the retry of an admit that timed out but ran: same token, its own flag
        assertThat(admit(attempt, job)).isInstanceOf(Admission.Granted.class);
        assertThat(admit(attempt(), job("m-again", "msg-2", "ça va ?"))).isInstanceOf(Admission.InProgress.class);
    }

    @Test
    void shouldWriteOnce_whenTheSameCommitRunsTwice() {
        Job job = job("m-twice", "msg-1", "tu fais quoi ?");
        Attempt attempt = attempt();
        admit(attempt, job);
        Reply reply = reply(job, "Je lis un livre");
        assertThat(commit(attempt, job, reply)).isInstanceOf(ReplyGuard.Commit.Committed.class);
        assertThat(commit(attempt, job, reply)).as("the retry of a commit that ran").isInstanceOf(ReplyGuard.Commit.Committed.class);
        assertThat(RealRedis.inspect().llen("rg:{m-twice}:questions")).isEqualTo(1);
        assertThat(RealRedis.inspect().llen("rg:{m-twice}:replies")).isEqualTo(1);
        assertThat(RealRedis.inspect().get("rg:{m-twice}:answered:msg-1")).isEqualTo(reply.replyId());
    }

    @Test
    void shouldReportTheCommittedReply_untilItsDeliveryIsConfirmed() throws Exception {
        Job job = job("m-outbox", "msg-1", "tu fais quoi ?");
        Attempt attempt = attempt();
        admit(attempt, job);
        Reply reply = reply(job, "Je lis un livre");
        commit(attempt, job, reply);

        Attempt second = attempt();
        Admission.Granted pending = (Admission.Granted) admit(second, job);
        assertThat(pending.states().get("msg-1")).isInstanceOfSatisfying(MessageState.Committed.class, committed -> {
            assertThat(committed.reply()).isEqualTo(reply);
            assertThat(committed.committedAt()).isEqualTo(java.time.Instant.ofEpochMilli(clock.millis()));
        });
        guard.release(second, job.matchId(), List.of(), List.of());

        guard.confirm(job.matchId(), reply.replyId()).toCompletableFuture().get();
        assertThat(admit(attempt(), job)).isInstanceOf(Admission.AlreadyAnswered.class);
        assertThat(RealRedis.inspect().hlen("rg:{m-outbox}:outbox")).isZero();
    }

    @Test
    void shouldKeepTheNextHoldersFlag_whenAJobWhoseLeaseEndedCommitsOrReleases() {
        Job slow = job("m-own", "msg-1", "salut");
        Attempt first = attempt();
        admit(first, slow);
        expireNow("rg:{m-own}:flag"); // the slow job outlived its lease
        Attempt second = attempt();
        admit(second, job("m-own", "msg-2", "tu fais quoi ?"));

        guard.release(first, slow.matchId(), List.of(), List.of());
        assertThat(RealRedis.inspect().hget("rg:{m-own}:flag", "owner")).isEqualTo(second.token());
        assertThat(commit(first, slow, reply(slow, "Salut !"))).isInstanceOf(ReplyGuard.Commit.Lost.class);
        assertThat(RealRedis.inspect().exists("rg:{m-own}:answered:msg-1")).as("a lost commit writes nothing").isZero();
        assertThat(RealRedis.inspect().hget("rg:{m-own}:flag", "owner")).isEqualTo(second.token());
    }

    @Test
    void shouldLeaseTheFlagForTheAttempt_notForTheGuardTtl() {
        admit(new Attempt("lease", Duration.ofSeconds(5)), job("m-lease", "msg-1", "salut"));
        long pttl = RealRedis.inspect().pttl("rg:{m-lease}:flag");
        assertThat(pttl).isBetween(1L, 5_000L);
    }

    @Test
    void shouldReturnPending_whenAMessageWasHandedOverBeforeACommitWithoutReply() {
        Job repeat = job("m-release", "msg-1", "tu fais quoi ?");
        Attempt holder = attempt();
        admit(holder, repeat);
        assertThat(guard.handOver(attempt(), job("m-release", "msg-2", "et ce soir ?")))
                .isInstanceOf(Admission.HandedOver.class);

        ReplyGuard.Commit finish = commit(holder, repeat, null);

        assertThat(finish).isInstanceOfSatisfying(ReplyGuard.Commit.Pending.class,
                pending -> assertThat(pending.handedOver()).extracting(HandedOverMessage::messageId).containsExactly("msg-2"));
        assertThat(RealRedis.inspect().hget("rg:{m-release}:flag", "owner")).as("still held").isEqualTo(holder.token());
    }

    @Test
    void shouldParkAHandedOverMessage_afterThreeFailedGenerations() {
        Job poison = job("m-poison", "msg-p", "???");
        for (int failure = 1; failure <= RedisReplyGuard.PARK_AFTER_FAILURES; failure++) {
            Attempt holder = attempt();
            Job lead = job("m-poison", "msg-lead-" + failure, "salut " + failure);
            Admission admission = admit(holder, lead);
            if (failure == 1) {
                guard.handOver(attempt(), poison);
                admission = admit(holder, lead);
            }
            Admission.Granted grant = (Admission.Granted) admission;
            assertThat(grant.handedOver()).extracting(HandedOverMessage::messageId).containsExactly("msg-p");
            assertThat(grant.handedOver().getFirst().failedAttempts()).isEqualTo(failure - 1);
            ReplyGuard.Release released = guard.release(holder, "m-poison", List.of("msg-p"), List.of());
            assertThat(released.parked()).isEqualTo(failure == RedisReplyGuard.PARK_AFTER_FAILURES ? List.of("msg-p") : List.of());
        }
        Admission.Granted after = (Admission.Granted) admit(attempt(), job("m-poison", "msg-next", "ça va ?"));
        assertThat(after.handedOver()).as("the match is no longer blocked").isEmpty();
        assertThat(RealRedis.inspect().hexists("rg:{m-poison}:parked", "msg-p")).isTrue();
        assertThat(RealRedis.inspect().pttl("rg:{m-poison}:parked")).isPositive();
    }

    @Test
    void shouldSetTheHandoverTtlOnce_andCapItsSize() {
        Attempt holder = attempt();
        admit(holder, job("m-cap", "msg-0", "salut"));
        guard.handOver(attempt(), job("m-cap", "msg-1", "question 1"));
        RealRedis.inspect().pexpire("rg:{m-cap}:handover", 50_000);
        for (int i = 2; i <= RedisReplyGuard.HANDOVER_MAX_ENTRIES; i++) {
            assertThat(guard.handOver(attempt(), job("m-cap", "msg-" + i, "question " + i))).isInstanceOf(Admission.HandedOver.class);
        }
        assertThat(RealRedis.inspect().pttl("rg:{m-cap}:handover")).as("not extended by later handovers").isLessThanOrEqualTo(50_000);
        assertThat(guard.handOver(attempt(), job("m-cap", "msg-extra", "one too many"))).isInstanceOf(Admission.Full.class);
        assertThat(RealRedis.inspect().hlen("rg:{m-cap}:handover")).isEqualTo(RedisReplyGuard.HANDOVER_MAX_ENTRIES);
    }

    @Test
    void shouldRecordAReplySentWithoutTheGuard_andClearTheFlagItsTimedOutAdmitLeft() {
        Job job = job("m-record", "msg-1", "salut");
        Attempt failedOpen = attempt();
        admit(failedOpen, job); // ran, though its caller saw a timeout and replied without the guard
        Reply sent = reply(job, "Salut !");

        guard.record(failedOpen, job.matchId(), sent);

        assertThat(RealRedis.inspect().exists("rg:{m-record}:flag")).isZero();
        assertThat(RealRedis.inspect().get("rg:{m-record}:answered:msg-1")).isEqualTo(sent.replyId());
        assertThat(admit(attempt(), job)).isInstanceOf(Admission.AlreadyAnswered.class);
    }

    @Test
    void shouldMarkRepeats_withoutOverwritingAnAnswer() {
        Job answered = job("m-mark", "msg-1", "tu fais quoi ?");
        Attempt attempt = attempt();
        admit(attempt, answered);
        Reply reply = reply(answered, "Je lis");
        commit(attempt, answered, reply);

        guard.markRepeats("m-mark", List.of("msg-1", "msg-2"));

        assertThat(RealRedis.inspect().get("rg:{m-mark}:answered:msg-1")).isEqualTo(reply.replyId());
        assertThat(RealRedis.inspect().get("rg:{m-mark}:answered:msg-2")).isEqualTo("repeat");
        assertThat(RealRedis.inspect().pttl("rg:{m-mark}:answered:msg-2")).isPositive();
    }

    @Test
    void shouldSetATtlOnEveryKeyItWrites() {
        for (int i = 0; i < 20; i++) {
            Job job = job("m-ttl-" + (i % 4), "msg-" + i, "question " + i);
            Attempt attempt = attempt();
            if (admit(attempt, job) instanceof Admission.Granted) {
                switch (i % 3) {
                    case 0 -> commit(attempt, job, reply(job, "réponse " + i));
                    case 1 -> commit(attempt, job, null);
                    default -> guard.release(attempt, job.matchId(), List.of(), List.of());
                }
            }
        }
        Attempt holder = attempt();
        admit(holder, job("m-ttl-held", "msg-held", "still generating")); // a flag left held
        guard.handOver(attempt(), job("m-ttl-held", "msg-handed", "et après ?")); // a message handed over to it
        guard.release(holder, "m-ttl-held", List.of("msg-handed"), List.of()); // a failed attempt counted
        List<String> keys = new ArrayList<>();
        ScanIterator.scan(RealRedis.inspect(), ScanArgs.Builder.limit(100)).forEachRemaining(keys::add);
        assertThat(keys).anyMatch(k -> k.endsWith(":questions")).anyMatch(k -> k.endsWith(":replies"))
                .anyMatch(k -> k.contains(":answered:")).anyMatch(k -> k.endsWith(":handover"))
                .anyMatch(k -> k.endsWith(":attempts")).anyMatch(k -> k.endsWith(":outbox"));
        for (String key : keys) {
            assertThat(RealRedis.inspect().pttl(key)).as("TTL of " + key).isPositive();
        }
    }

    @Test
    void shouldIgnoreRecentEntries_olderThanTheGuardTtl() {
        Job job = job("m-age", "msg-1", "tu aimes les chats ?");
        Attempt attempt = attempt();
        admit(attempt, job);
        commit(attempt, job, reply(job, "Oui, j'ai un chat"));
        Attempt soon = attempt();
        Admission.Granted recent = (Admission.Granted) admit(soon, job("m-age", "msg-2", "x"));
        assertThat(recent.recentQuestions()).containsExactly("tu aimes les chats");
        assertThat(recent.recentReplies()).singleElement().satisfies(r -> {
            assertThat(r.reply()).isEqualTo("oui j ai un chat");
            assertThat(r.questions()).containsExactly("tu aimes les chats");
        });
        guard.release(soon, "m-age", List.of(), List.of());
        clock.advance(Duration.ofSeconds(61));
        Admission.Granted later = (Admission.Granted) admit(attempt(), job("m-age", "msg-3", "x"));
        assertThat(later.recentQuestions()).isEmpty();
        assertThat(later.recentReplies()).isEmpty();
    }

    @Test
    void shouldKeepAllKeysOfAMatchInOneHashSlot_evenWithBracesInTheMatchId() {
        for (String matchId : List.of("match-42", "}weird{", "a{b}c", "{}", "with space\tand tab")) {
            MatchKeys keys = MatchKeys.of(matchId);
            int slot = SlotHash.getSlot(keys.flag());
            for (String key : keys.all("msg-1")) {
                assertThat(SlotHash.getSlot(key)).as(key).isEqualTo(slot);
            }
            assertThat(MatchKeys.of(matchId + "x").flag()).isNotEqualTo(keys.flag());
        }
    }

    /** Makes a key expire now and waits until the server has removed it (bounded, no sleep). */
    private static void expireNow(String key) {
        RealRedis.inspect().pexpire(key, 1);
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (RealRedis.inspect().exists(key) == 1) {
            assertThat(System.nanoTime()).as("key still there after 2 s").isLessThan(deadline);
            Thread.onSpinWait();
        }
    }
}
