package com.replyguard.redis;

import com.replyguard.config.RedisSettings;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.sync.RedisScriptingCommands;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.codec.StringCodec;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Owns the Lettuce client and its one connection for the life of the container. Connects on first
 * use, not at init, so a container whose Redis is unreachable still starts and fails open; after a
 * failed connect the next call tries again.
 */
final class RedisConnector implements AutoCloseable {

    private final AutoCloseable client;
    private final Supplier<StatefulConnection<String, String>> connect;
    private final java.util.function.Function<StatefulConnection<String, String>, RedisScriptingCommands<String, String>> sync;
    private volatile StatefulConnection<String, String> connection;
    private volatile RedisScriptingCommands<String, String> commands;

    private RedisConnector(AutoCloseable client, Supplier<StatefulConnection<String, String>> connect,
                           java.util.function.Function<StatefulConnection<String, String>, RedisScriptingCommands<String, String>> sync) {
        this.client = client;
        this.connect = connect;
        this.sync = sync;
    }

    static RedisConnector create(RedisSettings config) {
        RedisURI uri = RedisURI.create(config.url());
        // The URI timeout bounds the handshake (HELLO, AUTH): keep it at connect scale, not command scale.
        uri.setTimeout(max(config.connectTimeout(), config.timeout()));
        SocketOptions socket = SocketOptions.builder()
                .connectTimeout(config.connectTimeout())
                .keepAlive(true)
                .build();
        TimeoutOptions timeouts = TimeoutOptions.enabled(config.timeout());
        if (config.cluster()) {
            RedisClusterClient client = RedisClusterClient.create(uri);
            client.setOptions(ClusterClientOptions.builder()
                    .socketOptions(socket)
                    .timeoutOptions(timeouts)
                    .autoReconnect(true)
                    .build());
            return new RedisConnector(client::close,
                    () -> client.connect(StringCodec.UTF8),
                    c -> ((io.lettuce.core.cluster.api.StatefulRedisClusterConnection<String, String>) c).sync());
        }
        RedisClient client = RedisClient.create(uri);
        client.setOptions(ClientOptions.builder()
                .socketOptions(socket)
                .timeoutOptions(timeouts)
                .autoReconnect(true)
                // Fail fast while disconnected instead of queueing commands to replay later.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .build());
        return new RedisConnector(client::close,
                () -> client.connect(StringCodec.UTF8),
                c -> ((io.lettuce.core.api.StatefulRedisConnection<String, String>) c).sync());
    }

    RedisScriptingCommands<String, String> commands() {
        RedisScriptingCommands<String, String> ready = commands;
        if (ready != null) {
            return ready;
        }
        synchronized (this) {
            if (commands == null) {
                StatefulConnection<String, String> opened = connect.get();
                connection = opened;
                commands = sync.apply(opened);
            }
            return commands;
        }
    }

    @Override
    public void close() {
        try {
            StatefulConnection<String, String> open = connection;
            if (open != null) {
                open.close();
            }
            client.close();
        } catch (Exception e) {
            // closing at shutdown: nothing left to do with the error
        }
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
