package com.replyguard.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * A local Redis Cluster of three masters (no replicas), each a real {@link RedisProcess}: slots
 * split in three with {@code CLUSTER ADDSLOTS}, nodes joined with {@code CLUSTER MEET}, ready when
 * every node reports {@code cluster_state:ok} and sees the three masters.
 */
public final class LocalCluster implements AutoCloseable {

    public static final int MASTERS = 3;

    private final List<RedisProcess> nodes;

    private LocalCluster(List<RedisProcess> nodes) {
        this.nodes = nodes;
    }

    /**
     * @param node how to set up each node beyond cluster mode (password, TLS, settings)
     */
    public static LocalCluster start(UnaryOperator<RedisProcess.Builder> node) {
        List<RedisProcess> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < MASTERS; i++) {
                nodes.add(node.apply(RedisProcess.builder().cluster()
                        // keep serving the slots of the live nodes when one is down (a partial outage)
                        .setting("cluster-require-full-coverage", "no")
                        .setting("cluster-node-timeout", "3000")).start());
            }
            int perNode = 16_384 / MASTERS;
            for (int i = 0; i < MASTERS; i++) {
                int first = i * perNode;
                int last = i == MASTERS - 1 ? 16_383 : first + perNode - 1;
                StringJoiner slots = new StringJoiner(" ", "CLUSTER ADDSLOTS ", ""); // ADDSLOTSRANGE is Redis 7+
                for (int slot = first; slot <= last; slot++) {
                    slots.add(Integer.toString(slot));
                }
                expectOk(nodes.get(i), slots.toString());
            }
            for (int i = 1; i < MASTERS; i++) {
                // with tls-cluster, a node is known by its TLS port (its bus is that port + 10000)
                expectOk(nodes.getFirst(), "CLUSTER MEET 127.0.0.1 " + nodes.get(i).clientPort());
            }
            LocalCluster cluster = new LocalCluster(nodes);
            cluster.awaitHealthy(TimeUnit.SECONDS.toNanos(30));
            return cluster;
        } catch (RuntimeException e) {
            nodes.forEach(RedisProcess::kill);
            throw e;
        }
    }

    /** Waits (bounded) until every live node sees all slots covered and all masters connected. */
    public void awaitHealthy(long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        while (!healthy()) {
            if (System.nanoTime() > deadline) {
                StringBuilder why = new StringBuilder("cluster not healthy in time:");
                for (RedisProcess node : nodes) {
                    why.append("\n node ").append(node.port()).append(": ").append(info(node));
                }
                throw new IllegalStateException(why.toString());
            }
            RedisProcess.sleepQuietly(50); // gossip converges on its own schedule: poll, bounded
        }
    }

    private boolean healthy() {
        for (RedisProcess node : nodes) {
            String info = info(node);
            if (!info.contains("cluster_state:ok") || !info.contains("cluster_known_nodes:" + MASTERS)
                    || !info.contains("cluster_size:" + MASTERS)) {
                return false;
            }
        }
        return true;
    }

    private static String info(RedisProcess node) {
        String all = node.query("CLUSTER INFO");
        return all == null ? "(unreachable)" : all;
    }

    private static void expectOk(RedisProcess node, String command) {
        String answer = node.command(command);
        if (!"+OK".equals(answer)) {
            throw new IllegalStateException(command.substring(0, Math.min(40, command.length())) + "… answered " + answer);
        }
    }

    public List<RedisProcess> nodes() {
        return nodes;
    }

    /** The seed URL a client is given (any node will do; the client discovers the others). */
    public String url(String scheme, String userInfo) {
        return scheme + "://" + (userInfo == null ? "" : userInfo + "@") + "127.0.0.1:" + nodes.getFirst().clientPort();
    }

    @Override
    public void close() {
        nodes.forEach(RedisProcess::close);
    }
}
