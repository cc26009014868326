package com.replyguard.lambda;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.replyguard.testing.Capture;
import com.replyguard.testing.MutableClock;
import com.replyguard.testing.RealRedis;
import com.replyguard.testing.Sqs;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Nothing lost, nothing twice, across retries (I1, I3), through the handler against a real Redis:
 * a redelivery after the guard TTL is still recognised; a failed generation is retried and
 * answered; a function that dies mid-generation leaves only state that expires, and the redelivered
 * message is answered, once.
 */
class RetrySafetyIntegrationTest {

    private final Capture log = new Capture();
    private final Capture replies = new Capture();
    private final MutableClock clock = MutableClock.startingNow();

    @BeforeEach
    void cleanRedis() {
        RealRedis.flush();
    }

    private ReplyGuardHandler container(String... overrides) {
        return Containers.start(Containers.env(overrides), clock, log, replies);
    }

    /** Waits until Redis has expired {@code key} by its TTL (bounded; a TTL runs on Redis' own clock). */
    private static void awaitExpired(String key, Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (RealRedis.inspect().exists(key) == 1) {
            assertThat(System.nanoTime()).as(key + " still there after " + atMost).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @Test
    void shouldNotAnswerTwice_whenRedeliveredAfterTheGuardTtl_butWithinTheAnsweredTtl() throws Exception {
        String body = Sqs.job("m-late", "msg-1", "tu fais quoi ce soir ?");
        try (ReplyGuardHandler first = container("GUARD_TTL_SECONDS", "1")) {
            first.handleRequest(Sqs.event(Sqs.record("s1", body, 1)), null);
        }
        // the guard TTL passes: the recent questions are gone, so only the answered memory can tell
        awaitExpired("rg:{m-late}:questions", Duration.ofSeconds(5));
        clock.advance(Duration.ofSeconds(2));
        assertThat(RealRedis.inspect().pttl("rg:{m-late}:answered:msg-1")).isGreaterThan(3_500_000L);

        try (ReplyGuardHandler later = container("GUARD_TTL_SECONDS", "1")) {
            SQSBatchResponse redelivery = later.handleRequest(Sqs.event(
                    Sqs.record("s1", body, 2),                         // SQS redelivers the same message
                    Sqs.record("s2", body, 1)), null);                 // the bridge enqueued it again
            assertThat(redelivery.getBatchItemFailures()).isEmpty();
        }
        assertThat(log.outcomes()).containsExactly("REPLIED", "SKIPPED_ALREADY_ANSWERED", "SKIPPED_ALREADY_ANSWERED");
        assertThat(replies.jsonLines()).hasSize(1);
    }

    @Test
    void shouldReportFailed_andAnswerOnTheRetry_whenGenerationFails(@TempDir Path dir) throws Exception {
        Path noMatch = dir.resolve("no-fallback.json");
        Files.writeString(noMatch, "[{\"when\": \"zzz-never\", \"replies\": [\"jamais\"]}]");
        String body = Sqs.job("m-genfail", "msg-1", "on se voit samedi ?");
        try (ReplyGuardHandler broken = container("SCRIPTED_REPLIES", noMatch.toString())) {
            SQSBatchResponse response = broken.handleRequest(Sqs.event(Sqs.record("g1", body, 1)), null);
            assertThat(Sqs.failedIds(response)).containsExactly("g1");
        }
        assertThat(log.records().getFirst().get("error").asText()).startsWith("generation failed");
        // nothing left that could stop the retry: no flag, not marked answered
        assertThat(RealRedis.inspect().exists("rg:{m-genfail}:flag")).isZero();
        assertThat(RealRedis.inspect().exists("rg:{m-genfail}:answered:msg-1")).isZero();

        try (ReplyGuardHandler healthy = container()) {
            assertThat(healthy.handleRequest(Sqs.event(Sqs.record("g1", body, 2)), null).getBatchItemFailures()).isEmpty();
        }
        assertThat(log.outcomes()).containsExactly("FAILED", "REPLIED");
        assertThat(replies.jsonLines()).hasSize(1);
    }

    @Test
    void shouldAnswerTheRedeliveredMessageOnce_whenTheFunctionTimedOutMidGeneration() throws Exception {
        String body = Sqs.job("m-timeout", "msg-1", "tu bosses dans quoi ?");
        ExecutorService lambdaRuntime = Executors.newSingleThreadExecutor();
        try (ReplyGuardHandler stuck = container("GUARD_TTL_SECONDS", "1", "GENERATOR_DELAY_MS", "60000", "COALESCE", "false");
             ReplyGuardHandler next = container("GUARD_TTL_SECONDS", "1", "COALESCE", "false")) {
            // the first attempt is admitted, then hangs in generation until Lambda's timeout kills it:
            // nothing of it runs after that point (no release, no commit)
            Future<SQSBatchResponse> killed = lambdaRuntime.submit(() -> stuck.handleRequest(Sqs.event(Sqs.record("t1", body, 1)), null));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (RealRedis.inspect().exists("rg:{m-timeout}:flag") == 0) {
                assertThat(System.nanoTime()).as("the first attempt took the flag").isLessThan(deadline);
                Thread.onSpinWait();
            }
            // what it leaves behind expires by itself, within the guard TTL
            assertThat(RealRedis.inspect().pttl("rg:{m-timeout}:flag")).isBetween(1L, 1_000L);
            awaitExpired("rg:{m-timeout}:flag", Duration.ofSeconds(5));

            // SQS redelivers after the visibility timeout (longer than the guard TTL): answered
            clock.advance(Duration.ofSeconds(2));
            assertThat(next.handleRequest(Sqs.event(Sqs.record("t1", body, 2)), null).getBatchItemFailures()).isEmpty();
            assertThat(log.outcomes()).containsExactly("REPLIED");

            // were the dead attempt ever to wake up, it could not undo the answer: its release is owner-only
            killed.cancel(true);
            lambdaRuntime.shutdown();
            assertThat(lambdaRuntime.awaitTermination(10, TimeUnit.SECONDS)).as("the cancelled invocation stopped").isTrue();
            assertThat(RealRedis.inspect().exists("rg:{m-timeout}:answered:msg-1")).isEqualTo(1);
            assertThat(next.handleRequest(Sqs.event(Sqs.record("t1", body, 3)), null).getBatchItemFailures()).isEmpty();
        } finally {
            lambdaRuntime.shutdownNow();
        }
        assertThat(log.outcomes()).contains("REPLIED", "SKIPPED_ALREADY_ANSWERED").doesNotContain("GUARD_BYPASSED");
        assertThat(replies.jsonLines()).hasSize(1);
    }
}
