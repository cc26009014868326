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
 * run inside a script do not count): at most 2 awaited on the reply path and on every skip path
 * (I5). The delivery confirmation ({@code confirm.lua}, sent without waiting) is counted apart.
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
    void shouldTakeAtMostTwoAwaitedRoundTripsPerMessage_onEveryCommonPath() throws Exception {
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
        perPath.put("SKIPPED_IN_PROGRESS (its own message in flight)", count("SKIPPED_IN_PROGRESS", i -> Sqs.job("m-busy" + i, "msg-" + i, "salut")));
        perPath.put("SKIPPED_SIMILAR_QUESTION (in flight)", count("SKIPPED_SIMILAR_QUESTION", i -> Sqs.job("m-busy" + i, "msg-rep-" + i, "Salut !!")));
        perPath.put("COALESCED", count("COALESCED", i -> Sqs.job("m-busy" + i, "msg-new-" + i, "tu habites où ?")));
        count("REPLIED", i -> Sqs.job("m-d" + i, "msg-1", "dup: tu bosses où ?"));
        perPath.put("REPLIED (like a recent reply: generated twice)", count("REPLIED", i -> Sqs.job("m-d" + i, "msg-2", "dup: et ton travail ?")));
        // a reply committed by a worker that died before delivering it (its outbox entry is old)
        for (int i = 0; i < MESSAGES; i++) {
            String reply = "{\"replyId\":\"r-" + i + "\",\"matchId\":\"m-o" + i + "\",\"inReplyTo\":[\"msg-1\"],"
                    + "\"reply\":\"Salut !\",\"generatedAt\":\"2026-01-01T00:00:00Z\"}";
            RealRedis.inspect().hset("rg:{m-o" + i + "}:outbox", "r-" + i, "1000|" + reply);
            RealRedis.inspect().pexpire("rg:{m-o" + i + "}:outbox", 60_000);
            RealRedis.inspect().psetex("rg:{m-o" + i + "}:answered:msg-1", 60_000, "r-" + i);
        }
        monitor.clientCommandsUntilMarker("outbox-done");
        perPath.put("REPLIED (re-sent from the outbox)", count("REPLIED", i -> Sqs.job("m-o" + i, "msg-1", "salut")));

        System.out.println("Redis round trips per message, awaited, by path: " + perPath + "; confirmations sent without waiting: "
                + confirmations);
        assertThat(perPath.get("REPLIED")).isEqualTo(2 * MESSAGES);
        assertThat(perPath.get("SKIPPED_ALREADY_ANSWERED")).isEqualTo(MESSAGES);
        assertThat(perPath.get("SKIPPED_IN_PROGRESS (its own message in flight)")).isEqualTo(MESSAGES);
        assertThat(perPath.get("SKIPPED_SIMILAR_QUESTION")).isEqualTo(2 * MESSAGES);
        assertThat(perPath.get("REPLIED (like a recent reply: generated twice)")).isEqualTo(2 * MESSAGES);
        assertThat(perPath.get("SKIPPED_SIMILAR_QUESTION (in flight)")).isEqualTo(2 * MESSAGES);
        assertThat(perPath.get("COALESCED")).isEqualTo(2 * MESSAGES);
        assertThat(perPath.get("REPLIED (re-sent from the outbox)")).isEqualTo(2 * MESSAGES);
        assertThat(confirmations).as("one confirmation per delivered reply").isEqualTo(4 * MESSAGES);
    }

    private int confirmations;

    /** Runs MESSAGES jobs that must all end in {@code outcome}; returns the awaited client commands they cost. */
    private int count(String outcome, IntFunction<String> body) throws Exception {
        log.reset();
        String run = outcome + "-" + System.nanoTime();
        for (int i = 0; i < MESSAGES; i++) {
            handler.handleRequest(Sqs.event(Sqs.record(run + "-" + i, body.apply(i), 1)), null);
        }
        List<String> commands = monitor.clientCommandsUntilMarker("end-of-" + run);
        assertThat(log.outcomes()).hasSize(MESSAGES).containsOnly(outcome);
        assertThat(commands).allMatch(c -> c.toLowerCase().contains("\"evalsha\""), "only EVALSHA is sent on these paths");
        String confirm = sha1("confirm.lua");
        long confirmed = commands.stream().filter(c -> c.contains(confirm)).count();
        confirmations += (int) confirmed;
        return commands.size() - (int) confirmed;
    }

    private static String sha1(String script) throws Exception {
        try (var in = com.replyguard.redis.RedisReplyGuard.class.getResourceAsStream(script)) {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-1").digest(in.readAllBytes());
            return java.util.HexFormat.of().formatHex(digest);
        }
    }
}
