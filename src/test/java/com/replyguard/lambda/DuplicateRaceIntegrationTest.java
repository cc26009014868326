package com.replyguard.lambda;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.replyguard.testing.Capture;
import com.replyguard.testing.RealRedis;
import com.replyguard.testing.Sqs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The original incident, replayed: several containers receive the same user message at the same
 * instant (a barrier releases them together), hundreds of times. Exactly one reply each time (I1),
 * and a copy that finds its own message in flight is left on the queue until it is answered (I2).
 */
class DuplicateRaceIntegrationTest {

    private static final int CONTAINERS = 6;
    private static final int ROUNDS = 300;
    private static final Set<String> ALLOWED = Set.of("REPLIED", "SKIPPED_IN_PROGRESS", "SKIPPED_ALREADY_ANSWERED");

    private static final Capture log = new Capture();
    private static final Capture replies = new Capture();
    private static final List<ReplyGuardHandler> containers = new ArrayList<>();
    private static ExecutorService threads;
    private static int retried;

    @BeforeAll
    static void startContainers() {
        RealRedis.flush();
        for (int i = 0; i < CONTAINERS; i++) {
            containers.add(Containers.start(Containers.env(), Clock.systemUTC(), log, replies));
        }
        threads = Executors.newFixedThreadPool(CONTAINERS);
    }

    @AfterAll
    static void stopContainers() {
        threads.shutdownNow();
        containers.forEach(ReplyGuardHandler::close);
    }

    @Test
    void shouldReplyOnce_whenEveryContainerGetsTheSameSqsMessageAtOnce() throws Exception {
        // SQS at-least-once / visibility timeout: the same SQS message, same id, in several batches
        race("redelivery", round -> container -> Sqs.record("sqs-redelivery-" + round,
                Sqs.job("match-redelivery-" + round, "msg-" + round, "tu fais quoi ce soir ?"), container + 1));
    }

    @Test
    void shouldReplyOnce_whenTheBridgeEnqueuesTheSameMessageUnderNewSqsIds() throws Exception {
        // bridge double-enqueue: a new SQS message id per copy, the same job messageId
        race("bridge", round -> container -> Sqs.record("sqs-bridge-" + round + "-" + container,
                Sqs.job("match-bridge-" + round, "msg-" + round, "tu bosses dans quoi ?"), 1));
    }

    private void race(String name, IntFunction<IntFunction<SQSEvent.SQSMessage>> recordFor) throws Exception {
        log.reset();
        replies.reset();
        CyclicBarrier barrier = new CyclicBarrier(CONTAINERS);
        Map<String, Integer> outcomeCounts = new HashMap<>();
        retried = 0;
        for (int round = 0; round < ROUNDS; round++) {
            IntFunction<SQSEvent.SQSMessage> records = recordFor.apply(round);
            List<Future<SQSBatchResponse>> responses = new ArrayList<>();
            for (int c = 0; c < CONTAINERS; c++) {
                ReplyGuardHandler handler = containers.get(c);
                SQSEvent event = Sqs.event(records.apply(c));
                responses.add(threads.submit(() -> {
                    barrier.await(10, TimeUnit.SECONDS);
                    return handler.handleRequest(event, null);
                }));
            }
            List<String> waiting = new ArrayList<>();
            for (Future<SQSBatchResponse> response : responses) {
                waiting.addAll(Sqs.failedIds(response.get(30, TimeUnit.SECONDS)));
            }
            // a copy that arrived while another container held the flag for its own message stays on the
            // queue (its holder may still fail): SQS brings it back, and then it is answered, once
            for (String sqsId : waiting) {
                int copy = 0;
                while (!records.apply(copy).getMessageId().equals(sqsId)) {
                    copy++;
                }
                SQSBatchResponse again = containers.get(0).handleRequest(Sqs.event(records.apply(copy)), null);
                assertThat(again.getBatchItemFailures()).as("the returned copy is answered").isEmpty();
                retried++;
            }
        }
        Map<String, Integer> repliesPerMessage = new HashMap<>();
        for (JsonNode reply : replies.jsonLines()) {
            repliesPerMessage.merge(reply.get("matchId").asText(), 1, Integer::sum);
        }
        for (String outcome : log.outcomes()) {
            outcomeCounts.merge(outcome, 1, Integer::sum);
        }
        System.out.println(name + ": " + ROUNDS + " rounds x " + CONTAINERS + " containers, outcomes " + outcomeCounts
                + ", copies left on the queue and answered when they came back: " + retried);
        assertThat(repliesPerMessage).hasSize(ROUNDS);
        assertThat(repliesPerMessage.values()).allMatch(count -> count == 1);
        assertThat(log.outcomes()).hasSize(ROUNDS * CONTAINERS + retried).allMatch(ALLOWED::contains);
        assertThat(log.records()).filteredOn(r -> r.get("outcome").asText().equals("SKIPPED_IN_PROGRESS"))
                .as("a copy seen in flight is never acknowledged: it waits for its holder").allMatch(r -> r.has("retryAfterMs"));
        assertThat(outcomeCounts.get("REPLIED")).isEqualTo(ROUNDS);
    }
}
