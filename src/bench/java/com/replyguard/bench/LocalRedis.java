package com.replyguard.bench;

import com.replyguard.local.EmbeddedRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;

/**
 * The Redis a benchmark runs against: the one at {@code url} if given, else a real Redis server
 * started from the embedded-redis artifact (the same as the tests use), stopped on close.
 */
public final class LocalRedis implements AutoCloseable {

    private final EmbeddedRedis embedded;
    private final String url;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> admin;

    private LocalRedis(EmbeddedRedis embedded, String url) {
        this.embedded = embedded;
        this.url = url;
        this.client = RedisClient.create(url);
        this.admin = client.connect();
    }

    public static LocalRedis start(String url) {
        if (url != null) {
            return new LocalRedis(null, url);
        }
        EmbeddedRedis embedded = EmbeddedRedis.start();
        return new LocalRedis(embedded, embedded.url());
    }

    public String url() {
        return url;
    }

    public void flushAll() {
        admin.sync().flushall();
    }

    /** e.g. "Redis 6.2.11 (embedded-redis binary)". */
    public String describe() {
        String info = admin.sync().info("server");
        String version = info.lines().filter(l -> l.startsWith("redis_version:")).map(l -> l.substring(14).trim())
                .findFirst().orElse("?");
        return "Redis " + version + (embedded != null ? " (the embedded-redis artifact's server, loopback)" : " at " + url);
    }

    @Override
    public void close() {
        admin.close();
        client.shutdown();
        if (embedded != null) {
            embedded.close();
        }
    }
}
