package com.replyguard.bench.sim;

import com.replyguard.testing.RealRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A tiny simulator run (seconds): the three modes on traffic of bridge double-enqueues and rapid
 * sequences, against the test Redis. Checks that the figures come out as the ground truth says,
 * not what each mode should score in the full run (docs/BENCHMARKS.md).
 */
class SimulatorSmokeTest {

    @Test
    void shouldShowDuplicatesWithoutAGuard_andNoneWithReplyGuard(@TempDir Path dir) throws Exception {
        RealRedis.flush();
        SimConfig config = SimConfig.parse(new String[] {
                "--seed", "7", "--conversations", "24", "--duration", "20", "--time-scale", "60",
                "--generator-ms", "20", "--containers", "4", "--visibility-timeout", "60", "--no-floor",
                "--mix", "bridge=0.5,rapid=0.25,repeat-within=0.25",
                // a loaded CI machine must not turn a slow Redis answer into a bypass (a second reply)
                "--env", "REDIS_TIMEOUT_MS=5000",
                "--redis-url", RealRedis.url(), "--out", dir.toString()});
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        Simulator.Result result = Simulator.run(config, "smoke", new PrintStream(console, true, StandardCharsets.UTF_8));
        System.out.println(console.toString(StandardCharsets.UTF_8));

        Map<Mode, Figures> byMode = new java.util.EnumMap<>(Mode.class);
        result.figures().forEach(f -> byMode.put(f.mode(), f));
        Figures none = byMode.get(Mode.NONE);
        Figures original = byMode.get(Mode.ORIGINAL);
        Figures guarded = byMode.get(Mode.REPLY_GUARD);

        // no guard: every bridge copy and every re-sent question gets its own reply
        assertThat(none.byKind().get(Kind.BRIDGE).duplicates()).isEqualTo(none.byKind().get(Kind.BRIDGE).units());
        assertThat(none.byKind().get(Kind.REPEAT_WITHIN).duplicates()).isEqualTo(none.byKind().get(Kind.REPEAT_WITHIN).units());
        assertThat(none.duplicateUnits()).isPositive();
        assertThat(none.lostUnits()).isZero();
        assertThat(none.skippedJobs()).isZero();
        assertThat(none.replies()).isEqualTo(none.jobs());
        assertThat(none.repliesPerRapidSequence()).isGreaterThanOrEqualTo(2);
        assertThat(none.redisCommandsPerJob()).isZero();

        // reply-guard: every unit answered exactly once
        assertThat(guarded.duplicateUnits()).isZero();
        assertThat(guarded.lostUnits()).isZero();
        assertThat(guarded.skippedJobs()).isPositive();
        assertThat(guarded.outcomes()).doesNotContainKeys("FAILED", "GUARD_BYPASSED");
        assertThat(guarded.redisCommands()).containsKey("evalsha");
        assertThat(guarded.redisCommands().keySet()).isSubsetOf("evalsha", "eval");
        assertThat(guarded.redisCommandsPerJob()).isBetween(1.0, 3.0);

        // the original design: only plain GET / SET / DEL, and a flag check that skips work
        assertThat(original.redisCommands().keySet()).isSubsetOf("get", "set", "del");
        assertThat(original.skippedJobs()).isPositive();
        assertThat(original.units()).isEqualTo(none.units());

        assertThat(result.markdown()).contains("| duplicate replies (% of user messages answered more than once)");
        assertThat(Files.readString(result.chartFile())).startsWith("<svg").contains("messages never answered");
    }

    @Test
    void shouldGenerateTheSameTrafficFromTheSameSeed_inTheConfiguredProportions() {
        SimConfig config = SimConfig.parse(new String[] {"--seed", "3", "--conversations", "200"});
        Corpus corpus = Corpus.load();
        Traffic a = Traffic.generate(config, corpus);
        Traffic b = Traffic.generate(config, corpus);
        assertThat(a.deliveries()).isEqualTo(b.deliveries());
        assertThat(a.conversationsByKind().get(Kind.SINGLE)).isEqualTo(80);
        assertThat(a.conversationsByKind().get(Kind.RAPID)).isEqualTo(40);
        // a question re-sent within 60 s shares its original's unit; after 60 s it is a unit of its own
        for (Traffic.Conversation c : a.conversations()) {
            switch (c.kind()) {
                case REPEAT_WITHIN -> assertThat(c.messages()).extracting(Traffic.UserMessage::unit).containsOnly(c.messages().getFirst().unit());
                case REPEAT_AFTER, NEAR_MISS, RAPID -> assertThat(c.messages()).extracting(Traffic.UserMessage::unit).doesNotHaveDuplicates();
                case BRIDGE -> assertThat(c.deliveries()).hasSize(2).extracting(d -> d.message().messageId()).containsOnly(c.messages().getFirst().messageId());
                default -> assertThat(c.messages()).hasSize(1);
            }
        }
    }

    @Test
    void shouldComputeEachFigureFromDeliveredRepliesAgainstTheGroundTruth() {
        SimConfig config = SimConfig.parse(new String[] {"--conversations", "0"});
        Traffic.UserMessage q = new Traffic.UserMessage("m1", "m1-msg1", "tu fais quoi ?", "m1-msg1", 0);
        Traffic.UserMessage again = new Traffic.UserMessage("m1", "m1-msg2", "Tu fais quoi ??", "m1-msg1", 10_000);
        Traffic.UserMessage r1 = new Traffic.UserMessage("m2", "m2-msg1", "salut", "m2-msg1", 0);
        Traffic.UserMessage r2 = new Traffic.UserMessage("m2", "m2-msg2", "ça va ?", "m2-msg2", 500);
        Traffic.UserMessage r3 = new Traffic.UserMessage("m2", "m2-msg3", "tu bosses dans quoi ?", "m2-msg3", 900);
        Traffic traffic = TrafficFixture.of(
                new Traffic.Conversation("m1", Kind.REPEAT_WITHIN, List.of(q, again), List.of()),
                new Traffic.Conversation("m2", Kind.RAPID, List.of(r1, r2, r3), List.of()),
                List.of(new Traffic.Unit("m1-msg1", Kind.REPEAT_WITHIN, List.of("m1-msg1", "m1-msg2")),
                        new Traffic.Unit("m2-msg1", Kind.RAPID, List.of("m2-msg1")),
                        new Traffic.Unit("m2-msg2", Kind.RAPID, List.of("m2-msg2")),
                        new Traffic.Unit("m2-msg3", Kind.RAPID, List.of("m2-msg3"))));
        // the repeat is answered twice (a duplicate); the sequence gets two replies, its third message none
        Simulation.ModeRun run = new Simulation.ModeRun(Mode.ORIGINAL,
                List.of(job("m1-msg1", "REPLIED", 1.0), job("m1-msg2", "REPLIED", 2.0), job("m2-msg1", "REPLIED", 3.0),
                        job("m2-msg2", "REPLIED", 4.0), job("m2-msg3", "SKIPPED_IN_PROGRESS", 5.0)),
                List.of(reply("m1", "m1-msg1"), reply("m1", "m1-msg2"), reply("m2", "m2-msg1"), reply("m2", "m2-msg2")),
                Map.of("get", 10L, "set", 5L), 0, 0, 0, 0, 0);
        Figures f = Figures.compute(traffic, config, run);
        assertThat(f.units()).isEqualTo(4);
        assertThat(f.duplicateUnits()).isEqualTo(1);
        assertThat(f.lostUnits()).isEqualTo(1);
        assertThat(f.duplicatePercent()).isEqualTo(25.0);
        assertThat(f.rapidSequences()).isEqualTo(1);
        assertThat(f.repliesPerRapidSequence()).isEqualTo(2.0);
        assertThat(f.skippedJobs()).isEqualTo(1);
        assertThat(f.skippedPercent()).isEqualTo(20.0);
        assertThat(f.redisCommandsPerJob()).isEqualTo(3.0);
        assertThat(f.guardP50Ms()).isEqualTo(3.0);
        assertThat(f.guardP99Ms()).isEqualTo(5.0);
        assertThat(f.byKind().get(Kind.RAPID)).isEqualTo(new Figures.KindFigures(3, 0, 1));
    }

    private static JobRecord job(String messageId, String outcome, double guardMs) {
        return new JobRecord(messageId.substring(0, 2), messageId, "sqs-" + messageId, 1, outcome, guardMs,
                outcome.equals("REPLIED") ? 1 : 0);
    }

    private static Simulation.DeliveredReply reply(String matchId, String... inReplyTo) {
        return new Simulation.DeliveredReply(matchId, List.of(inReplyTo), "…", 1_000_000);
    }
}
