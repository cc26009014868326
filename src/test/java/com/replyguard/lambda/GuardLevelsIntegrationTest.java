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

import static org.assertj.core.api.Assertions.assertThat;

/** The guard's levels through the handler, against a real Redis: each skip, and what it must not skip. */
class GuardLevelsIntegrationTest {

    private final Capture log = new Capture();
    private final Capture replies = new Capture();
    private final MutableClock clock = MutableClock.startingNow();

    @BeforeEach
    void cleanRedis() {
        RealRedis.flush();
    }

    @Test
    void shouldSkipSimilarQuestion_whenAskedAgainWithinTheGuardTtl_andAnswerIt_afterTheTtl() {
        try (ReplyGuardHandler handler = Containers.start(Containers.env(), clock, log, replies)) {
            handler.handleRequest(Sqs.event(Sqs.record("q1", Sqs.job("m-sim", "msg-1", "tu fais quoi ce week-end ?"), 1)), null);
            clock.advance(Duration.ofSeconds(30));
            handler.handleRequest(Sqs.event(Sqs.record("q2", Sqs.job("m-sim", "msg-2", "Tu fais quoi ce week end?? 😅"), 1)), null);
            clock.advance(Duration.ofSeconds(31));
            handler.handleRequest(Sqs.event(Sqs.record("q3", Sqs.job("m-sim", "msg-3", "tu fais quoi ce week-end ?"), 1)), null);
        }
        assertThat(log.outcomes()).containsExactly("REPLIED", "SKIPPED_SIMILAR_QUESTION", "REPLIED");
        assertThat(log.records().get(1).get("similarity").asDouble()).isGreaterThanOrEqualTo(0.70);
        assertThat(replies.jsonLines()).hasSize(2);
    }

    @Test
    void shouldAnswerADifferentQuestion_thatSharesMostOfItsWords() {
        try (ReplyGuardHandler handler = Containers.start(Containers.env(), clock, log, replies)) {
            handler.handleRequest(Sqs.event(Sqs.record("c1", Sqs.job("m-pets", "msg-1", "tu aimes les chats ?"), 1)), null);
            clock.advance(Duration.ofSeconds(5));
            handler.handleRequest(Sqs.event(Sqs.record("c2", Sqs.job("m-pets", "msg-2", "tu aimes les chiens ?"), 1)), null);
        }
        assertThat(log.outcomes()).containsExactly("REPLIED", "REPLIED");
        assertThat(replies.jsonLines()).hasSize(2);
    }

    @Test
    void shouldRegenerateOnceAndDeliver_whenADifferentQuestionGetsTheSameReplyAsARecentOne(@TempDir Path dir) throws Exception {
        Path rules = dir.resolve("rules.json");
        Files.writeString(rules, "[{\"replies\": [\"Haha, et toi ?\"]}]");
        try (ReplyGuardHandler handler = Containers.start(Containers.env("SCRIPTED_REPLIES", rules.toString()), clock, log, replies)) {
            handler.handleRequest(Sqs.event(Sqs.record("d1", Sqs.job("m-dup", "msg-1", "ça va ?"), 1)), null);
            // a different question whose generated reply is the same text: it must not go unanswered
            SQSBatchResponse second = handler.handleRequest(Sqs.event(
                    Sqs.record("d2", Sqs.job("m-dup", "msg-2", "tu fais quoi ce soir ?"), 1),
                    Sqs.record("d3", Sqs.job("m-dup", "msg-3", "on se voit demain ?"), 1)), null);
            assertThat(second.getBatchItemFailures()).isEmpty();
        }
        assertThat(log.outcomes()).containsExactly("REPLIED", "REPLIED", "COALESCED");
        assertThat(log.records().get(1).get("rounds").asInt()).as("generated once more, told what was said").isEqualTo(2);
        assertThat(replies.jsonLines()).hasSize(2);
        assertThat(replies.jsonLines().get(1).get("inReplyTo")).extracting(com.fasterxml.jackson.databind.JsonNode::asText)
                .containsExactly("msg-2", "msg-3");
    }

    @Test
    void shouldDeliverTheSecondGeneration_whenItDiffers(@TempDir Path dir) throws Exception {
        Path rules = dir.resolve("rules.json");
        Files.writeString(rules, "[{\"replies\": [\"Je bosse en marketing à Lyon\", \"Je suis en agence, à Lyon\"]}]");
        try (ReplyGuardHandler handler = Containers.start(Containers.env("SCRIPTED_REPLIES", rules.toString()), clock, log, replies)) {
            handler.handleRequest(Sqs.event(Sqs.record("e1", Sqs.job("m-regen", "msg-1", "tu fais quoi dans la vie ?"), 1)), null);
            handler.handleRequest(Sqs.event(Sqs.record("e2", Sqs.job("m-regen", "msg-2", "tu habites où ?"), 1)), null);
        }
        assertThat(log.outcomes()).containsExactly("REPLIED", "REPLIED");
        assertThat(replies.jsonLines()).extracting(r -> r.get("reply").asText())
                .containsExactly("Je bosse en marketing à Lyon", "Je suis en agence, à Lyon");
    }

    @Test
    void shouldDropAReply_onlyWhenItAnswersTheSameQuestionAgain_andRememberTheMessage(@TempDir Path dir) throws Exception {
        Path rules = dir.resolve("rules.json");
        Files.writeString(rules, "[{\"replies\": [\"Je bosse en marketing\"]}]");
        // the recent replies still hold the answer to this question, while its entry left the (shorter-lived)
        // list of recent questions: level 2 lets it through, level 3 sees a re-answer of the same question
        RealRedis.inspect().lpush("rg:{m-again}:replies", clock.millis() + "|{\"r\":\"je bosse en marketing\","
                + "\"q\":[\"tu bosses dans quoi\"]}");
        RealRedis.inspect().pexpire("rg:{m-again}:replies", 60_000);
        try (ReplyGuardHandler handler = Containers.start(Containers.env("SCRIPTED_REPLIES", rules.toString()), clock, log, replies)) {
            handler.handleRequest(Sqs.event(Sqs.record("f1", Sqs.job("m-again", "msg-1", "Tu bosses dans quoi ??"), 1)), null);
            handler.handleRequest(Sqs.event(Sqs.record("f1", Sqs.job("m-again", "msg-1", "Tu bosses dans quoi ??"), 2)), null);
        }
        assertThat(log.outcomes()).containsExactly("DROPPED_DUPLICATE_REPLY", "SKIPPED_ALREADY_ANSWERED");
        assertThat(replies.jsonLines()).isEmpty();
        assertThat(RealRedis.inspect().get("rg:{m-again}:answered:msg-1")).isEqualTo("repeat");
    }

    @Test
    void shouldSkipInProgress_whenAnotherJobHoldsTheMatchFlag() {
        RealRedis.inspect().hset("rg:{m-busy}:flag", java.util.Map.of("owner", "other-job", "messageId", "msg-0",
                "since", Long.toString(clock.millis())));
        RealRedis.inspect().pexpire("rg:{m-busy}:flag", 60_000);
        try (ReplyGuardHandler handler = Containers.start(Containers.env("COALESCE", "false"), clock, log, replies)) {
            SQSBatchResponse response = handler.handleRequest(
                    Sqs.event(Sqs.record("b1", Sqs.job("m-busy", "msg-1", "salut"), 1)), null);
            assertThat(response.getBatchItemFailures()).isEmpty();
        }
        assertThat(log.outcomes()).containsExactly("SKIPPED_IN_PROGRESS");
        assertThat(log.records().getFirst().get("holderMessageId").asText()).isEqualTo("msg-0");
        assertThat(RealRedis.inspect().hget("rg:{m-busy}:flag", "owner")).isEqualTo("other-job");
    }

    @Test
    void shouldFailAndReleaseTheFlag_whenTheInvocationHasNoTimeLeftToDeliver() {
        try (ReplyGuardHandler handler = Containers.start(Containers.env(), clock, log, replies)) {
            SQSBatchResponse response = handler.handleRequest(
                    Sqs.event(Sqs.record("t1", Sqs.job("m-late", "msg-1", "salut"), 1)),
                    new com.replyguard.testing.FixedContext("req-late", 200));
            assertThat(Sqs.failedIds(response)).containsExactly("t1");
        }
        assertThat(log.outcomes()).containsExactly("FAILED");
        assertThat(log.records().getFirst().get("error").asText()).contains("not enough time left");
        assertThat(log.records().getFirst().get("requestId").asText()).isEqualTo("req-late");
        assertThat(replies.jsonLines()).isEmpty();
        assertThat(RealRedis.inspect().exists("rg:{m-late}:flag")).isZero();
        assertThat(RealRedis.inspect().exists("rg:{m-late}:answered:msg-1")).isZero();
    }

    @Test
    void shouldReplyWithoutGuard_whenGuardDisabled() {
        try (ReplyGuardHandler handler = Containers.start(Containers.env("GUARD_ENABLED", "false"), clock, log, replies)) {
            handler.handleRequest(Sqs.event(
                    Sqs.record("n1", Sqs.job("m-off", "msg-1", "salut"), 1),
                    Sqs.record("n1", Sqs.job("m-off", "msg-1", "salut"), 2)), null);
        }
        assertThat(log.outcomes()).containsExactly("REPLIED", "REPLIED");
        assertThat(RealRedis.inspect().dbsize()).isZero();
    }
}
