package com.replyguard.lambda;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.replyguard.testing.Capture;
import com.replyguard.testing.RealRedis;
import com.replyguard.testing.Sqs;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rapid sequences under contention (invariant I2, docs/design.md): bursts of 2–5 different messages of one match reach
 * several containers at once, while the first is being generated. Every message must appear in
 * exactly one delivered reply — none twice, none lost — and most bursts must get a single reply.
 */
class CoalescingRaceIntegrationTest {

    private static final int CONTAINERS = 5;
    private static final int ROUNDS = 150;
    private static final List<String> QUESTIONS = List.of("tu fais quoi ce soir ?", "tu habites où ?",
            "tu as un chat ?", "tu aimes le ciné ?", "tu bosses dans quoi ?");
    /** A regex found in exactly one of the questions. */
    private static final List<String> QUESTION_KEYS = List.of("ce soir", "habites", "chat", "ciné", "bosses");
    private static final List<String> ANSWERS = List.of("soirée tranquille", "Lyon centre", "oui Pixel",
            "surtout les polars", "marketing digital");

    @ParameterizedTest(name = "max rounds {0}")
    @CsvSource({"3, 0.8, false", "1, 0.0, true"})
    void shouldPutEveryMessageInExactlyOneReply_whenBurstsArriveDuringGeneration(String maxRounds, double minSingleReply,
                                                                               boolean expectFollowUps,
                                                                               @TempDir Path dir) throws Exception {
        RealRedis.flush();
        // One distinct reply per question (the first rule matching any covered message answers), so
        // two replies in a burst never look alike: this test is about coalescing, not the duplicate-
        // reply check, which would otherwise drop a late message's reply as a repeat of the first.
        Path rules = dir.resolve("rules.json");
        StringBuilder json = new StringBuilder("[");
        for (int q = 0; q < QUESTIONS.size(); q++) {
            json.append(q == 0 ? "" : ",").append("{\"when\": \"").append(QUESTION_KEYS.get(q))
                    .append("\", \"replies\": [\"réponse ").append(ANSWERS.get(q)).append("\"]}");
        }
        Files.writeString(rules, json.append("]").toString());
        Capture log = new Capture();
        Capture replies = new Capture();
        List<ReplyGuardHandler> containers = new ArrayList<>();
        for (int i = 0; i < CONTAINERS; i++) {
            containers.add(Containers.start(Containers.env("GENERATOR_DELAY_MS", "15", "COALESCE_MAX_ROUNDS", maxRounds,
                            "SCRIPTED_REPLIES", rules.toString()),
                    Clock.systemUTC(), log, replies));
        }
        ExecutorService threads = Executors.newFixedThreadPool(CONTAINERS);
        Random random = new Random(42);
        Map<String, Integer> burstSizes = new HashMap<>();
        int cameBack = 0;
        try {
            for (int round = 0; round < ROUNDS; round++) {
                int size = 2 + random.nextInt(4);
                String matchId = "m-burst-" + maxRounds + "-" + round;
                burstSizes.put(matchId, size);
                CyclicBarrier barrier = new CyclicBarrier(size);
                List<Future<SQSBatchResponse>> responses = new ArrayList<>();
                for (int m = 0; m < size; m++) {
                    ReplyGuardHandler handler = containers.get(m);
                    var event = Sqs.event(Sqs.record(matchId + "-sqs-" + m,
                            Sqs.job(matchId, matchId + "-msg-" + m, QUESTIONS.get(m)), 1));
                    responses.add(threads.submit(() -> {
                        barrier.await(10, TimeUnit.SECONDS);
                        return handler.handleRequest(event, null);
                    }));
                }
                List<String> waiting = new ArrayList<>();
                for (Future<SQSBatchResponse> response : responses) {
                    waiting.addAll(Sqs.failedIds(response.get(30, TimeUnit.SECONDS)));
                }
                // a handed-over message stays on the queue until a reply covering it is committed: SQS
                // brings it back, and then it is acknowledged, with no reply of its own
                for (String sqsId : waiting) {
                    int m = Integer.parseInt(sqsId.substring(sqsId.lastIndexOf('-') + 1));
                    SQSBatchResponse again = containers.get(0).handleRequest(Sqs.event(Sqs.record(sqsId,
                            Sqs.job(matchId, matchId + "-msg-" + m, QUESTIONS.get(m)), 2)), null);
                    assertThat(again.getBatchItemFailures()).as("answered by the time it comes back").isEmpty();
                    cameBack++;
                }
            }
        } finally {
            threads.shutdownNow();
            containers.forEach(ReplyGuardHandler::close);
        }

        Map<String, Integer> timesAnswered = new HashMap<>();
        Map<String, Integer> repliesPerBurst = new HashMap<>();
        for (JsonNode reply : replies.jsonLines()) {
            repliesPerBurst.merge(reply.get("matchId").asText(), 1, Integer::sum);
            reply.get("inReplyTo").forEach(id -> timesAnswered.merge(id.asText(), 1, Integer::sum));
        }
        int messages = burstSizes.values().stream().mapToInt(Integer::intValue).sum();
        Map<Integer, Integer> histogram = new TreeMap<>();
        repliesPerBurst.values().forEach(n -> histogram.merge(n, 1, Integer::sum));
        Map<String, Integer> outcomes = new TreeMap<>();
        log.outcomes().forEach(o -> outcomes.merge(o, 1, Integer::sum));
        long singleReply = repliesPerBurst.values().stream().filter(n -> n == 1).count();
        System.out.printf("coalescing, max rounds %s: %d bursts, %d messages; replies per burst %s; outcomes %s;"
                        + " handed-over records that came back and were acknowledged: %d%n",
                maxRounds, ROUNDS, messages, histogram, outcomes, cameBack);

        assertThat(timesAnswered).as("every message answered").hasSize(messages);
        assertThat(timesAnswered.values()).as("no message answered twice").allMatch(n -> n == 1);
        assertThat(log.outcomes()).hasSize(messages + cameBack)
                .doesNotContain("FAILED", "SKIPPED_IN_PROGRESS", "GUARD_BYPASSED", "DROPPED_DUPLICATE_REPLY");
        assertThat((double) singleReply / ROUNDS).as("share of bursts answered by one reply").isGreaterThanOrEqualTo(minSingleReply);
        if (expectFollowUps) {
            // one round only: messages handed over during generation are answered by a follow-up reply
            assertThat(histogram.keySet()).anyMatch(n -> n > 1);
        }
    }
}
