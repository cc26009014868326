package com.replyguard.lambda;

import com.replyguard.testing.Capture;
import com.replyguard.testing.RealRedis;
import com.replyguard.testing.RedisMonitor;
import com.replyguard.testing.Sqs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Round trips per message, counted on the server with MONITOR (commands the clients send; commands
 * run inside a script do not count): at most 2 on the reply path and on every skip path (I5).
 */
class RoundTripIntegrationTest {

    private static final int MESSAGES = 50;

    private final Capture log = new Capture();
    private final Capture replies = new Capture();
    private ReplyGuardHandler handler;
    private RedisMonitor monitor;

    @BeforeEach
    void warmUp(@TempDir Path dir) throws Exception {
        RealRedis.flush();
        RealRedis.inspect().scriptFlush();
        Path rules = dir.resolve("rules.json");
        // distinct replies per question, except "dup" questions which all get the same reply
        Files.writeString(rules, "[{\"when\": \"dup\", \"replies\": [\"Je bosse en marketing\"]},"
                + "{\"replies\": [\"Salut !\", \"Je lis un bouquin\", \"Un resto ce soir\", \"Rando demain\"]}]");
        handler = Containers.start(Containers.env("SCRIPTED_REPLIES", rules.toString()),
                Clock.systemUTC(), log, replies);
        // connection handshake and first-use script loading happen once per container, not per message
        // (after SCRIPT FLUSH, so the NOSCRIPT → EVAL fallback runs here too)
        handler.handleRequest(Sqs.event(Sqs.record("warm-1", Sqs.job("m-warm", "msg-warm-1", "salut"), 1)), null);
        handler.handleRequest(Sqs.event(Sqs.record("warm-2", Sqs.job("m-warm", "msg-warm-2", "Salut !"), 1)), null);
        assertThat(log.outcomes()).containsExactly("REPLIED", "SKIPPED_SIMILAR_QUESTION");
        monitor = RedisMonitor.start(); // every node of a cluster
    }

    @AfterEach
    void close() {
        monitor.close();
        handler.close();
    }

    @Test
    void shouldTakeAtMostTwoRoundTripsPerMessage_onEveryCommonPath() {
        Map<String, Integer> perPath = new java.util.LinkedHashMap<>();
        perPath.put("REPLIED", count("REPLIED", i -> Sqs.job("m-r" + i, "msg-" + i, "tu fais quoi ce soir ?")));
        perPath.put("SKIPPED_ALREADY_ANSWERED", count("SKIPPED_ALREADY_ANSWERED", i -> Sqs.job("m-r" + i, "msg-" + i, "tu fais quoi ce soir ?")));
        perPath.put("SKIPPED_SIMILAR_QUESTION", count("SKIPPED_SIMILAR_QUESTION", i -> Sqs.job("m-r" + i, "msg-again-" + i, "Tu fais quoi ce soir ??")));
        // another container generates for these matches (its flag: messageId msg-i, question "salut")
        for (int i = 0; i < MESSAGES; i++) {
            RealRedis.inspect().hset("rg:{m-busy" + i + "}:flag", Map.of("owner", "x", "messageId", "msg-" + i,
                    "since", "0", "question", "salut"));
            RealRedis.inspect().pexpire("rg:{m-busy" + i + "}:flag", 60_000);
        }
        monitor.clientCommandsUntilMarker("setup-done");
        perPath.put("SKIPPED_IN_PROGRESS", count("SKIPPED_IN_PROGRESS", i -> Sqs.job("m-busy" + i, "msg-" + i, "salut")));
        perPath.put("SKIPPED_SIMILAR_QUESTION (in flight)", count("SKIPPED_SIMILAR_QUESTION", i -> Sqs.job("m-busy" + i, "msg-rep-" + i, "Salut !!")));
        perPath.put("COALESCED", count("COALESCED", i -> Sqs.job("m-busy" + i, "msg-new-" + i, "tu habites où ?")));
        count("REPLIED", i -> Sqs.job("m-d" + i, "msg-1", "dup: tu bosses où ?"));
        perPath.put("DROPPED_DUPLICATE_REPLY", count("DROPPED_DUPLICATE_REPLY", i -> Sqs.job("m-d" + i, "msg-2", "dup: et ton travail ?")));

        System.out.println("Redis round trips per message, by path: " + perPath);
        assertThat(perPath.get("REPLIED")).isEqualTo(2 * MESSAGES);
        assertThat(perPath.get("SKIPPED_ALREADY_ANSWERED")).isEqualTo(MESSAGES);
        assertThat(perPath.get("SKIPPED_IN_PROGRESS")).isEqualTo(MESSAGES);
        assertThat(perPath.get("SKIPPED_SIMILAR_QUESTION")).isEqualTo(2 * MESSAGES);
        assertThat(perPath.get("DROPPED_DUPLICATE_REPLY")).isEqualTo(2 * MESSAGES);
        assertThat(perPath.get("SKIPPED_SIMILAR_QUESTION (in flight)")).isEqualTo(MESSAGES);
        assertThat(perPath.get("COALESCED")).isEqualTo(2 * MESSAGES);
    }

    /** Runs MESSAGES jobs that must all end in {@code outcome}; returns the client commands they cost. */
    private int count(String outcome, IntFunction<String> body) {
        log.reset();
        String run = outcome + "-" + System.nanoTime();
        for (int i = 0; i < MESSAGES; i++) {
            handler.handleRequest(Sqs.event(Sqs.record(run + "-" + i, body.apply(i), 1)), null);
        }
        List<String> commands = monitor.clientCommandsUntilMarker("end-of-" + run);
        assertThat(log.outcomes()).hasSize(MESSAGES).containsOnly(outcome);
        assertThat(commands).allMatch(c -> c.toLowerCase().contains("\"evalsha\""), "only EVALSHA is sent on these paths");
        return commands.size();
    }
}
