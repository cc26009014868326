package com.replyguard.fleet;

import com.replyguard.fleet.FleetSettings.Fault;
import com.replyguard.fleet.FleetSettings.Mode;
import com.replyguard.testing.RuntimeClientProcess;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fleet run, short and seeded (the bench's {@code fleet} command runs the long ones): three
 * containers under the Lambda Runtime Interface Client, on ElasticMQ with a dead-letter queue,
 * against a real Redis, with every kind of fault, one at a time. Judged by the webhook alone.
 * Each run's report is written to {@code target/fleet/}.
 */
@Tag("own-servers")
class FleetEndToEndTest {

    private static final long SEED = 7;

    @Test
    void shouldAnswerEveryMessageOnce_whenContainersAreKilledAndRedisPausesAndRestarts() throws IOException {
        FleetResult result = run(Mode.REPLY_GUARD, "all");

        assertThat(result.messages()).as("the traffic").isGreaterThan(20);
        assertThat(result.verdicts()).filteredOn(v -> v.verdict().equals("answered")).as("answered").isNotEmpty();
        assertThat(result.faults()).as("faults injected").isNotEmpty();
        assertThat(result.lost()).as("messages lost\n" + String.join("\n", result.sequences())).isZero();
        assertThat(result.doubled()).as("messages answered by two distinct replies\n" + String.join("\n", result.sequences())).isZero();
        assertThat(result.unsettled()).as("jobs still on the queue when the run ended").isZero();
    }

    @Test
    void shouldDoubleMessages_whenTheGuardIsOff_soThatTheCheckCanFail() throws IOException {
        // the same traffic without faults: its bridge copies alone give two replies
        FleetResult result = run(Mode.GUARD_OFF, "none");

        assertThat(result.doubled()).as("bridge copies answered by two containers").isPositive();
    }

    private static FleetResult run(Mode mode, String faults) throws IOException {
        FleetSettings settings = new FleetSettings(mode, SEED, Fault.set(faults), 3, 10, 12);
        FleetResult result = FleetRun.run(settings, RuntimeClientProcess.deployable());
        Path out = Path.of("target", "fleet");
        Files.createDirectories(out);
        Files.writeString(out.resolve("fleet-short-" + mode.label() + ".md"), result.details());
        System.out.println(result.summary());
        return result;
    }
}
