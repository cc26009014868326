package com.replyguard.lambda;

import com.replyguard.testing.Capture;
import com.replyguard.testing.LocalCluster;
import com.replyguard.testing.Pacing;
import com.replyguard.testing.RealRedis;
import com.replyguard.testing.RedisProcess;
import com.replyguard.testing.Sqs;
import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cluster client under its own faults, on a local 3-master cluster: node connections are opened
 * lazily by Lettuce, and with REJECT_COMMANDS a command for a node still connecting is rejected, so
 * the connector opens every master at connect. And a master killed mid-run must cost fast failures,
 * not timeouts, and the guard must come back when it does.
 */
@Tag("own-servers")
class ClusterFaultsIntegrationTest {

    private static LocalCluster cluster;

    private final Capture log = new Capture();
    private final Capture replies = new Capture();

    @BeforeAll
    static void startCluster() {
        cluster = LocalCluster.start(node -> node.password(RealRedis.PASSWORD));
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    private ReplyGuardHandler container(String... overrides) {
        Map<String, String> env = new HashMap<>();
        env.put("REDIS_URL", cluster.url("redis", "default:" + RealRedis.PASSWORD));
        env.put("REDIS_CLUSTER", "true");
        env.put("GENERATOR", "scripted");
        env.put("REPLY_SINK", "stdout");
        for (int i = 0; i + 1 < overrides.length; i += 2) {
            env.put(overrides[i], overrides[i + 1]);
        }
        return Containers.start(env, Clock.systemUTC(), log, replies);
    }

    /** Which of the three masters owns the keys of this match (slots split evenly, see LocalCluster). */
    private static int nodeOf(String matchId) {
        int slot = SlotHash.getSlot("rg:{" + matchId + "}:flag");
        return Math.min(slot / (16_384 / LocalCluster.MASTERS), LocalCluster.MASTERS - 1);
    }

    /** {@code count} fresh match ids whose keys live on {@code node}. */
    private static List<String> matchesOn(int node, int count, String prefix) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; ids.size() < count; i++) {
            String id = prefix + "-" + i;
            if (nodeOf(id) == node) {
                ids.add(id);
            }
        }
        return ids;
    }

    private String send(ReplyGuardHandler handler, String matchId, String messageId) {
        log.reset();
        handler.handleRequest(Sqs.event(Sqs.record("sqs-" + matchId + "-" + messageId,
                Sqs.job(matchId, messageId, "tu fais quoi ce soir ?"), 1)), null);
        return log.outcomes().getFirst();
    }

    @Test
    void shouldGuardTheFirstMessageForEveryMaster_rightAfterAColdStart() {
        try (ReplyGuardHandler handler = container()) {
            for (int node = 0; node < LocalCluster.MASTERS; node++) {
                String match = matchesOn(node, 1, "cold-" + node).getFirst();
                // the very first command each master sees from this container is guarded, not rejected
                assertThat(send(handler, match, "msg-1")).as("first message for node " + node).isEqualTo("REPLIED");
                assertThat(send(handler, match, "msg-1")).isEqualTo("SKIPPED_ALREADY_ANSWERED");
            }
        }
    }

    @Test
    void shouldFailFast_whileAMasterIsDown_andGuardItsMatchesAgain_whenItIsBack() {
        RedisProcess victim = cluster.nodes().get(2);
        try (ReplyGuardHandler handler = container("REDIS_BREAKER_COOLDOWN_MS", "300")) {
            List<String> onVictim = matchesOn(2, 40, "victim");
            List<String> elsewhere = matchesOn(0, 3, "healthy");
            assertThat(send(handler, onVictim.getFirst(), "msg-0")).isEqualTo("REPLIED");

            victim.kill();
            List<Double> guardMs = new ArrayList<>();
            for (int i = 1; i <= 10; i++) {
                assertThat(send(handler, onVictim.get(i), "msg-0")).isEqualTo("GUARD_BYPASSED");
                guardMs.add(log.records().getFirst().get("guardMs").asDouble());
                assertThat(replies.jsonLines()).isNotEmpty();
            }
            // rejected at once while the node is disconnected: no message waited for the command timeout
            assertThat(log.text()).doesNotContain("RedisCommandTimeoutException");
            System.out.println("cluster master killed: 10 messages for its slots bypassed the guard, guard ms " + guardMs);

            victim.restart();
            long back = System.nanoTime();
            String outcome = "";
            int i = 11;
            while (!outcome.equals("REPLIED")) {
                assertThat(System.nanoTime() - back).as("guards resumed within 30 s").isLessThan(TimeUnit.SECONDS.toNanos(30));
                outcome = send(handler, onVictim.get(i++ % onVictim.size()), "msg-" + i);
                if (!outcome.equals("REPLIED")) {
                    Pacing.pause(50); // messages keep arriving while the node rejoins
                }
            }
            System.out.println("cluster master restarted: its matches guarded again after " + (System.nanoTime() - back) / 1_000_000 + " ms");
            for (String match : elsewhere) {
                assertThat(send(handler, match, "msg-1")).isEqualTo("REPLIED");
            }
        } finally {
            victim.restart();
            cluster.awaitHealthy(TimeUnit.SECONDS.toNanos(30));
        }
    }

    @Test
    void shouldFollowMoved_whenASlotMigratesUnderARunningContainer() {
        List<RedisProcess> nodes = cluster.nodes();
        String match = matchesOn(0, 1, "moved").getFirst();
        int slot = SlotHash.getSlot("rg:{" + match + "}:flag");
        RedisProcess source = nodes.get(0);
        RedisProcess target = nodes.get(1);
        try (ReplyGuardHandler handler = container()) {
            // the container knows the topology: the slot is on node 0
            assertThat(send(handler, matchesOn(0, 1, "warm-moved").getFirst(), "msg-1")).isEqualTo("REPLIED");
            long movedBefore = movedErrors(source);

            migrateEmptySlot(slot, source, target);
            // its next command for that slot goes to node 0, which answers MOVED; the client follows it
            assertThat(send(handler, match, "msg-1")).isEqualTo("REPLIED");
            assertThat(send(handler, match, "msg-1")).isEqualTo("SKIPPED_ALREADY_ANSWERED");
            assertThat(movedErrors(source)).as("node 0 redirected at least one command").isGreaterThan(movedBefore);
            assertThat(target.query("EXISTS rg:{" + match + "}:answered:msg-1")).isEqualTo(":1");
        } finally {
            migrateEmptySlot(slot, target, source); // leave the cluster as the other tests expect it
            cluster.awaitHealthy(TimeUnit.SECONDS.toNanos(30));
        }
    }

    /** Moves a slot between masters as redis-cli --cluster reshard does (IMPORTING, MIGRATING, keys, NODE). */
    private static void migrateEmptySlot(int slot, RedisProcess from, RedisProcess to) {
        String fromId = from.query("CLUSTER MYID");
        String toId = to.query("CLUSTER MYID");
        if (from.query("CLUSTER COUNTKEYSINSLOT " + slot).equals(":0")) {
            assertThat(to.command("CLUSTER SETSLOT " + slot + " IMPORTING " + fromId)).isEqualTo("+OK");
            assertThat(from.command("CLUSTER SETSLOT " + slot + " MIGRATING " + toId)).isEqualTo("+OK");
        } else {
            // the slot holds the test's keys (moving back): delete them, they are not needed any more
            from.command("FLUSHALL");
        }
        assertThat(to.command("CLUSTER SETSLOT " + slot + " NODE " + toId)).isEqualTo("+OK");
        assertThat(from.command("CLUSTER SETSLOT " + slot + " NODE " + toId)).isEqualTo("+OK");
        for (RedisProcess node : cluster.nodes()) {
            node.command("CLUSTER SETSLOT " + slot + " NODE " + toId);
        }
    }

    private static long movedErrors(RedisProcess node) {
        String stats = node.query("INFO errorstats");
        for (String line : stats.split("\r?\n")) {
            if (line.startsWith("errorstat_MOVED:count=")) {
                return Long.parseLong(line.substring("errorstat_MOVED:count=".length()).split(",")[0]);
            }
        }
        return 0;
    }

}
