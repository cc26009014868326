package com.replyguard.redis;

import com.replyguard.config.WorkerConfig;
import com.replyguard.core.ReplyGuard;
import com.replyguard.core.ReplyGuard.Admission;
import com.replyguard.testing.GuardCalls;
import com.replyguard.testing.RealRedis;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class GuardInspectorIntegrationTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void seedAMatch() {
        RealRedis.flush();
        WorkerConfig config = WorkerConfig.fromEnvironment(RealRedis.env());
        try (RedisReplyGuard guard = RedisReplyGuard.create(config.redis(), config.guard(), Clock.systemUTC())) {
            GuardCalls.answered(guard, GuardCalls.job("m-42", "msg-1", "tu aimes les chats ?"), "Oui, j'ai un chat");
            GuardCalls.admit(guard, GuardCalls.attempt(), GuardCalls.job("m-42", "msg-2", "tu habites où ?"));
            guard.handOver(GuardCalls.attempt(), GuardCalls.job("m-42", "msg-3", "et tu fais quoi ce soir ?"));
        }
    }

    private int inspect(String... args) {
        return GuardInspector.run(args, RealRedis.env(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), System.currentTimeMillis());
    }

    @Test
    void shouldShowFlagRecentListsHandoverAndMarkers_withoutTexts() {
        assertThat(inspect("m-42", "--message", "msg-1", "--message", "msg-9")).isZero();
        String report = out.toString(StandardCharsets.UTF_8);
        assertThat(report).contains("flag: held for messageId msg-2")
                .contains("recent questions: 1").contains("recent replies: 1").contains("handed over: 1")
                .contains("  - msg-3, handed over").contains("answered msg-1: yes, by reply").contains("outbox (committed, delivery not confirmed): 0").contains("answered msg-9: no")
                .doesNotContain("chats").doesNotContain("ce soir").doesNotContain("no TTL");
    }

    @Test
    void shouldShowTexts_onlyWhenAsked() {
        assertThat(inspect("m-42", "--show-texts")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("\"tu aimes les chats\"").contains("\"et tu fais quoi ce soir ?\"");
    }

    @Test
    void shouldExplainUsage_withoutAMatchId() {
        assertThat(inspect()).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("which match? give its matchId")
                .contains("usage: GuardInspector MATCH_ID");
    }

    @Test
    void shouldShowHelp_onStdout_andExitZero() {
        assertThat(inspect("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("usage: GuardInspector MATCH_ID")
                .contains("Reads REDIS_URL").contains("exit status: 0 shown, 1 Redis did not answer, 2 usage error");
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void shouldRefuseAnUnknownOption_inOneLine() {
        assertThat(inspect("m-42", "--messages", "msg-1")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8).strip()).isEqualTo("GuardInspector: unknown option --messages   (--help shows the usage)");
    }

    @Test
    void shouldAskForTheRedisToInspect_inItsOwnWords() {
        assertThat(GuardInspector.run(new String[] {"m-42"}, Map.of("GENERATOR", "bedrock"), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), System.currentTimeMillis())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("GuardInspector: set REDIS_URL to the Redis to inspect")
                .doesNotContain("GUARD_ENABLED");
    }

    @Test
    void shouldIgnoreTheWorkersOtherVariables() {
        Map<String, String> env = new java.util.HashMap<>(RealRedis.env());
        env.put("GENERATOR", "bedrock"); // would need AWS_REGION and BEDROCK_MODEL_ID in the worker
        env.put("QUESTION_SIMILARITY", "7");
        assertThat(GuardInspector.run(new String[] {"m-42"}, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), System.currentTimeMillis())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("flag: held for messageId msg-2");
    }

    @Test
    void shouldSayThereIsNoState_forAMatchWithNoKey() {
        assertThat(inspect("m-unknown", "--message", "msg-1")).isZero();
        String report = out.toString(StandardCharsets.UTF_8);
        assertThat(report).contains("match m-unknown   keys rg:{m-unknown}:*")
                .contains("no state for this match").contains("msg-1: not answered").doesNotContain("(no key)");
    }

    @Test
    void shouldNotSayNoKey_forTheListsAMatchDoesNotHave() {
        RealRedis.flush();
        WorkerConfig config = WorkerConfig.fromEnvironment(RealRedis.env());
        try (RedisReplyGuard guard = RedisReplyGuard.create(config.redis(), config.guard(), Clock.systemUTC())) {
            GuardCalls.admit(guard, GuardCalls.attempt(), GuardCalls.job("m-7", "msg-1", "salut"));
        }
        assertThat(inspect("m-7")).isZero();
        String report = out.toString(StandardCharsets.UTF_8);
        assertThat(report).contains("flag: held for messageId msg-1").contains("handed over: 0\n")
                .doesNotContain("(no key)").doesNotContain("no state");
    }
}
