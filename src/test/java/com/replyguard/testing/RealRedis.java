package com.replyguard.testing;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Redis the guard tests run against, started on first use and stopped when the JVM exits,
 * with a connection for tests to inspect and reset it.
 *
 * <p>Which Redis is chosen by the system property {@code replyguard.redis.target} (the build runs
 * the guard suite once per target, see {@code pom.xml}):
 * <ul>
 *   <li>{@code standalone} (default): one plain server;</li>
 *   <li>{@code cluster}: a 3-master Redis Cluster with a password ({@code REDIS_CLUSTER=true});</li>
 *   <li>{@code tls}: one server reached by {@code rediss://} with a password, its self-signed
 *       certificate made by the test ({@code REDIS_TLS_CA_FILE});</li>
 *   <li>{@code cluster-tls}: both, the shape of ElastiCache Serverless.</li>
 * </ul>
 * The worker always reaches the target through {@link #env()}; tests inspect it on its plain
 * loopback port(s).
 */
public final class RealRedis {

    public enum Target {
        STANDALONE, CLUSTER, TLS, CLUSTER_TLS;

        boolean cluster() {
            return this == CLUSTER || this == CLUSTER_TLS;
        }

        boolean tls() {
            return this == TLS || this == CLUSTER_TLS;
        }
    }

    /** Not a secret of anything real; tests assert it never reaches the logs. */
    public static final String PASSWORD = "test-Redis-pa55word";

    private static Target target;
    private static List<RedisProcess> servers;
    private static Map<String, String> env;
    private static RedisClusterCommands<String, String> inspect;

    private RealRedis() {
    }

    public static synchronized Target target() {
        if (target == null) {
            String name = System.getProperty("replyguard.redis.target", "standalone");
            target = Target.valueOf(name.strip().toUpperCase(Locale.ROOT).replace('-', '_'));
        }
        return target;
    }

    private static synchronized void start() {
        if (servers != null) {
            return;
        }
        Target t = target();
        TlsFiles tls = t.tls() ? TlsFiles.shared() : null;
        String password = t == Target.STANDALONE ? null : PASSWORD;
        String scheme = t.tls() ? "rediss" : "redis";
        String userInfo = password == null ? null : "default:" + password;
        String url;
        if (t.cluster()) {
            LocalCluster cluster = LocalCluster.start(node -> {
                RedisProcess.Builder b = node.password(password);
                return tls == null ? b : b.tls(tls);
            });
            servers = cluster.nodes();
            url = cluster.url(scheme, userInfo);
        } else {
            RedisProcess.Builder b = RedisProcess.builder().password(password);
            RedisProcess server = (tls == null ? b : b.tls(tls)).start();
            servers = List.of(server);
            url = scheme + "://" + (userInfo == null ? "" : userInfo + "@") + "127.0.0.1:" + server.clientPort();
        }
        Map<String, String> vars = new HashMap<>();
        vars.put("REDIS_URL", url);
        if (t.cluster()) {
            vars.put("REDIS_CLUSTER", "true");
        }
        if (tls != null) {
            vars.put("REDIS_TLS_CA_FILE", tls.certificate().toString());
        }
        env = Map.copyOf(vars);
        inspect = connectInspector(t, url, tls);
        System.out.println("guard tests run against " + t + " at " + url.replace(PASSWORD, "***"));
    }

    private static RedisClusterCommands<String, String> connectInspector(Target t, String url, TlsFiles tls) {
        RedisURI uri = RedisURI.create(url);
        SslOptions ssl = tls == null ? SslOptions.create() : SslOptions.builder().trustManager(tls.certificate().toFile()).build();
        if (t.cluster()) {
            RedisClusterClient client = RedisClusterClient.create(uri);
            client.setOptions(ClusterClientOptions.builder().sslOptions(ssl).build());
            StatefulRedisClusterConnection<String, String> connection = client.connect();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                connection.close();
                client.shutdown();
            }));
            return connection.sync();
        }
        // a standalone server is inspected on its plain port, even when the worker uses TLS
        RedisURI plain = RedisURI.builder().withHost("127.0.0.1").withPort(servers.getFirst().port())
                .withAuthentication("default", PASSWORD.toCharArray()).build();
        if (servers.getFirst().password() == null) {
            plain = RedisURI.create("redis://127.0.0.1:" + servers.getFirst().port());
        }
        RedisClient client = RedisClient.create(plain);
        client.setOptions(ClientOptions.create());
        StatefulRedisConnection<String, String> connection = client.connect();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            connection.close();
            client.shutdown();
        }));
        return connection.sync();
    }

    /** The worker's REDIS_* variables for the target: URL, and REDIS_CLUSTER / REDIS_TLS_CA_FILE when they apply. */
    public static Map<String, String> env() {
        start();
        return env;
    }

    public static String url() {
        return env().get("REDIS_URL");
    }

    /** The plain port of the (first) server, for raw connections such as MONITOR. */
    public static int port() {
        start();
        return servers.getFirst().port();
    }

    /** The plain ports of every server (three on a cluster). */
    public static List<Integer> ports() {
        start();
        return servers.stream().map(RedisProcess::port).toList();
    }

    /** The password raw connections must send, or null. */
    public static String password() {
        start();
        return servers.getFirst().password();
    }

    /**
     * A connection for inspecting the server (on a cluster: the whole cluster, keys routed by slot,
     * FLUSHALL/DBSIZE/SCAN over every master); shared, so tests use it from one thread.
     */
    public static RedisClusterCommands<String, String> inspect() {
        start();
        return inspect;
    }

    public static void flush() {
        inspect().flushall();
    }
}
