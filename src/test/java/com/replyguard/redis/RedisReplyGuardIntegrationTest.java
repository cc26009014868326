package com.replyguard.redis;

import com.replyguard.config.WorkerConfig;
import com.replyguard.core.Job;
import com.replyguard.core.ReplyGuard;
import com.replyguard.core.ReplyGuard.Admission;
import com.replyguard.testing.MutableClock;
import com.replyguard.testing.RealRedis;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The Redis guard's scripts against a real Redis server: ownership, TTLs, hash slots. */
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

    private Admission admit(Job job) {
        return guard.admit(job, List.of());
    }

    private ReplyGuard.Commit commit(Admission.Granted grant, Job job, String reply) {
        return guard.commit(grant, List.of(ReplyGuard.Answer.of(job)), reply, false);
    }

    @Test
    void shouldKeepTheNextHoldersFlag_whenAJobWhoseFlagExpiredCommitsOrReleases() {
        Job slow = job("m-own", "msg-1", "salut");
        Admission.Granted first = (Admission.Granted) admit(slow);
        expireNow("rg:{m-own}:flag"); // the slow job's generation outlived the guard TTL
        Admission.Granted second = (Admission.Granted) admit(job("m-own", "msg-2", "tu fais quoi ?"));

        guard.release(first);
        assertThat(RealRedis.inspect().hget("rg:{m-own}:flag", "owner")).isEqualTo(second.ownerToken());
        assertThat(commit(first, slow, "Salut !")).isInstanceOf(ReplyGuard.Commit.Lost.class);
        assertThat(RealRedis.inspect().exists("rg:{m-own}:answered:msg-1")).as("a lost commit writes nothing").isZero();
        assertThat(RealRedis.inspect().hget("rg:{m-own}:flag", "owner")).isEqualTo(second.ownerToken());
        assertThat(admit(job("m-own", "msg-3", "et toi ?"))).isInstanceOf(Admission.InProgress.class);

        assertThat(commit(second, job("m-own", "msg-2", "tu fais quoi ?"), "Je lis")).isInstanceOf(ReplyGuard.Commit.Committed.class);
        assertThat(RealRedis.inspect().exists("rg:{m-own}:flag")).isZero();
    }

    @Test
    void shouldGiveTheFlagToExactlyOneJob_andReportWhoHoldsIt() {
        Admission first = admit(job("m-one", "msg-1", "salut"));
        Admission second = admit(job("m-one", "msg-2", "ça va ?"));
        assertThat(first).isInstanceOf(Admission.Granted.class);
        assertThat(second).isInstanceOfSatisfying(Admission.InProgress.class,
                held -> {
                    assertThat(held.holderMessageId()).isEqualTo("msg-1");
                    assertThat(held.holderQuestion()).isEqualTo("salut");
                });
    }

    @Test
    void shouldSetATtlOnEveryKeyItWrites() {
        for (int i = 0; i < 20; i++) {
            Job job = job("m-ttl-" + (i % 4), "msg-" + i, "question " + i);
            if (admit(job) instanceof Admission.Granted grant) {
                switch (i % 3) {
                    case 0 -> commit(grant, job, "réponse " + i);
                    case 1 -> commit(grant, job, null);
                    default -> guard.release(grant);
                }
            }
        }
        admit(job("m-ttl-held", "msg-held", "still generating")); // a flag left held
        guard.handOver(job("m-ttl-held", "msg-handed", "et après ?")); // a message handed over to it
        List<String> keys = new ArrayList<>();
        ScanIterator.scan(RealRedis.inspect(), ScanArgs.Builder.limit(100)).forEachRemaining(keys::add);
        assertThat(keys).anyMatch(k -> k.endsWith(":flag")).anyMatch(k -> k.endsWith(":questions"))
                .anyMatch(k -> k.endsWith(":replies")).anyMatch(k -> k.contains(":answered:"))
                .anyMatch(k -> k.endsWith(":handover"));
        for (String key : keys) {
            assertThat(RealRedis.inspect().pttl(key)).as("TTL of " + key).isPositive();
        }
    }

    @Test
    void shouldIgnoreRecentEntries_olderThanTheGuardTtl() {
        Job job = job("m-age", "msg-1", "tu aimes les chats ?");
        commit((Admission.Granted) admit(job), job, "Oui, j'ai un chat");
        Admission.Granted soon = (Admission.Granted) admit(job("m-age", "msg-2", "x"));
        assertThat(soon.recentQuestions()).containsExactly("tu aimes les chats");
        assertThat(soon.recentReplies()).containsExactly("oui j ai un chat");
        guard.release(soon);
        clock.advance(java.time.Duration.ofSeconds(61));
        Admission.Granted later = (Admission.Granted) admit(job("m-age", "msg-3", "x"));
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
