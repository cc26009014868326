package com.replyguard.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.replyguard.config.WorkerConfig;
import com.replyguard.core.Job;
import com.replyguard.core.ReplyGuard.Admission;
import com.replyguard.redis.RedisReplyGuard;
import com.replyguard.testing.Capture;
import com.replyguard.testing.GuardCalls;
import com.replyguard.testing.RealRedis;
import com.replyguard.testing.Sqs;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A handed-over message survives its holder's failure (invariant I2, docs/design.md): the holder's retry, or the next job
 * of the match, answers it. And COALESCE=false keeps the original design: the message is skipped.
 */
class HandoverSurvivalIntegrationTest {

    private final Capture log = new Capture();
    private final Capture replies = new Capture();

    @BeforeEach
    void cleanRedis() {
        RealRedis.flush();
    }

    /** Job A takes the flag and job B hands its message over, through the real scripts; then A dies. */
    private void holderDiesAfterHandover(String matchId) {
        WorkerConfig config = WorkerConfig.fromEnvironment(Containers.env());
        try (RedisReplyGuard guard = RedisReplyGuard.create(config.redis(), config.guard(), Clock.systemUTC())) {
            Job a = GuardCalls.job(matchId, "msg-a", "salut");
            Job b = GuardCalls.job(matchId, "msg-b", "tu fais quoi ce soir ?");
            assertThat(GuardCalls.admit(guard, GuardCalls.attempt(), a)).isInstanceOf(Admission.Granted.class);
            assertThat(guard.handOver(GuardCalls.attempt(), b)).isInstanceOf(Admission.HandedOver.class);
        }
        RealRedis.inspect().del("rg:{" + matchId + "}:flag"); // A's Lambda died; its flag expired
    }

    @Test
    void shouldAnswerAHandedOverMessage_onTheHoldersRetry() {
        holderDiesAfterHandover("m-died");
        try (ReplyGuardHandler handler = Containers.start(Containers.env(), Clock.systemUTC(), log, replies)) {
            handler.handleRequest(Sqs.event(Sqs.record("sqs-a", Sqs.job("m-died", "msg-a", "salut"), 2)), null);
        }
        assertThat(log.outcomes()).containsExactly("REPLIED");
        assertThat(replies.jsonLines()).singleElement().satisfies(r -> assertThat(r.get("inReplyTo"))
                .extracting(JsonNode::asText).containsExactly("msg-a", "msg-b"));
        assertThat(RealRedis.inspect().hlen("rg:{m-died}:handover")).isZero();
    }

    @Test
    void shouldAnswerAHandedOverMessage_withTheNextJobOfTheMatch_whenTheHoldersOwnMessageWasAnswered() {
        holderDiesAfterHandover("m-next");
        RealRedis.inspect().set("rg:{m-next}:answered:msg-a", "reply-elsewhere"); // A had answered itself elsewhere
        try (ReplyGuardHandler handler = Containers.start(Containers.env(), Clock.systemUTC(), log, replies)) {
            handler.handleRequest(Sqs.event(Sqs.record("sqs-c", Sqs.job("m-next", "msg-c", "tu aimes le ciné ?"), 1)), null);
        }
        assertThat(replies.jsonLines()).singleElement().satisfies(r -> assertThat(r.get("inReplyTo"))
                .extracting(JsonNode::asText).containsExactly("msg-c", "msg-b"));
    }

    @Test
    void shouldSkipADifferentMessageWhileGenerating_whenCoalesceIsOff() {
        WorkerConfig config = WorkerConfig.fromEnvironment(Containers.env());
        try (RedisReplyGuard guard = RedisReplyGuard.create(config.redis(), config.guard(), Clock.systemUTC());
             ReplyGuardHandler handler = Containers.start(Containers.env("COALESCE", "false"), Clock.systemUTC(), log, replies)) {
            GuardCalls.admit(guard, GuardCalls.attempt(), GuardCalls.job("m-off", "msg-a", "salut"));
            handler.handleRequest(Sqs.event(Sqs.record("sqs-b", Sqs.job("m-off", "msg-b", "tu fais quoi ce soir ?"), 1)), null);
        }
        assertThat(log.outcomes()).containsExactly("SKIPPED_IN_PROGRESS");
        assertThat(RealRedis.inspect().exists("rg:{m-off}:handover")).isZero();
    }

    @Test
    void shouldSkipARepeatOfTheMessageInFlight_insteadOfHandingItOver() {
        WorkerConfig config = WorkerConfig.fromEnvironment(Containers.env());
        try (RedisReplyGuard guard = RedisReplyGuard.create(config.redis(), config.guard(), Clock.systemUTC());
             ReplyGuardHandler handler = Containers.start(Containers.env(), Clock.systemUTC(), log, replies)) {
            GuardCalls.admit(guard, GuardCalls.attempt(), GuardCalls.job("m-rep", "msg-a", "tu fais quoi ce soir ?"));
            handler.handleRequest(Sqs.event(Sqs.record("sqs-b", Sqs.job("m-rep", "msg-b", "Tu fais quoi ce soir ??"), 1)), null);
        }
        assertThat(log.outcomes()).containsExactly("SKIPPED_SIMILAR_QUESTION");
        assertThat(RealRedis.inspect().exists("rg:{m-rep}:handover")).isZero();
        assertThat(RealRedis.inspect().get("rg:{m-rep}:answered:msg-b")).as("remembered as a repeat").isEqualTo("repeat");
    }
}
