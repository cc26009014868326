package com.replyguard.testing;

import com.replyguard.local.EmbeddedRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

/**
 * One real Redis server for the whole test run, started on first use and stopped when the JVM
 * exits, with a plain connection for tests to inspect and reset the server.
 */
public final class RealRedis {

    private static EmbeddedRedis server;
    private static RedisClient client;
    private static StatefulRedisConnection<String, String> connection;

    private RealRedis() {
    }

    public static synchronized String url() {
        if (server == null) {
            server = EmbeddedRedis.start();
            client = RedisClient.create(server.url());
            connection = client.connect();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                connection.close();
                client.shutdown();
                server.close();
            }));
        }
        return server.url();
    }

    public static synchronized int port() {
        url();
        return server.port();
    }

    /** A connection for inspecting the server; shared, so tests use it from one thread. */
    public static RedisCommands<String, String> inspect() {
        url();
        return connection.sync();
    }

    public static void flush() {
        inspect().flushall();
    }
}
