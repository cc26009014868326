package com.replyguard.redis;

import com.replyguard.config.RedisSettings;
import com.replyguard.logging.JsonLogLine;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.api.sync.RedisScriptingCommands;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.ConnectionIntent;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;

import java.io.PrintStream;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Owns the Lettuce client and its one connection for the life of the container, set up for Lambda
 * as the ElastiCache guidance for Lettuce says, and fails fast when Redis does not answer.
 *
 * <ul>
 *   <li><b>No network at init.</b> Creating the connector opens nothing; the first command connects,
 *       so a container whose Redis is unreachable still starts (cold start never waits on Redis).
 *       Concurrent first commands share one connection attempt.</li>
 *   <li><b>Bounded waits.</b> Connect timeout {@code REDIS_CONNECT_TIMEOUT_MS} (TCP, TLS handshake,
 *       HELLO/AUTH), command timeout {@code REDIS_TIMEOUT_MS} on every command, TCP keepalive.</li>
 *   <li><b>Never replayed.</b> Auto-reconnect stays on, but with {@code REJECT_COMMANDS} a command
 *       issued while disconnected fails at once, and the commands in flight when a connection drops
 *       are failed, not re-sent after the reconnect (a replayed admit would find its own flag and
 *       lose the message; a replayed commit would double an entry). A command that timed out or was
 *       cut off counts as unknown: it may have run, and whatever it wrote carries a TTL.</li>
 *   <li><b>Cluster.</b> The cluster client opens node connections lazily, and with
 *       {@code REJECT_COMMANDS} a command for a node whose connection is still opening is rejected;
 *       so connecting also opens a connection to every master. Topology refresh is periodic and
 *       adaptive (MOVED, reconnects), and nodes flagged failed are filtered out.</li>
 *   <li><b>Breaker.</b> Every command goes through a {@link GuardBreaker}. When it opens, the
 *       connection is dropped: the half-open probe then connects afresh (bounded by the connect
 *       timeout) instead of waiting for Lettuce's reconnect back-off or a stale socket.</li>
 * </ul>
 */
final class RedisConnector implements AutoCloseable {

    /** Reconnect back-off of a dropped connection, with full jitter (ElastiCache guidance: 100 ms up to seconds). */
    private static final Delay RECONNECT_DELAY = Delay.fullJitter(Duration.ofMillis(100), Duration.ofSeconds(5), 100,
            TimeUnit.MILLISECONDS);

    private final Backend backend;
    private final GuardBreaker breaker;
    private final long connectBudgetMillis;
    /** The password as written in REDIS_URL and decoded: scrubbed from every error message this class writes. */
    private final List<String> secrets;
    private final AtomicReference<CompletableFuture<Session>> session = new AtomicReference<>();
    private final RedisScriptingCommands<String, String> commands;

    /** One open connection and the synchronous commands bound to it. */
    record Session(StatefulConnection<String, String> connection, RedisScriptingCommands<String, String> commands) {
    }

    /** How one kind of client (standalone or cluster) connects and shuts down. */
    interface Backend {
        CompletableFuture<Session> connect();

        void shutdown();
    }

    RedisConnector(Backend backend, GuardBreaker breaker, Duration connectBudget, List<String> secrets) {
        this.backend = backend;
        this.breaker = breaker;
        this.connectBudgetMillis = connectBudget.toMillis();
        this.secrets = secrets.stream().filter(secret -> secret != null && !secret.isEmpty()).toList();
        this.commands = guardedCommands();
    }

    static RedisConnector create(RedisSettings config) {
        return create(config, System.out);
    }

    /** @param events where breaker transitions are logged, one JSON line each */
    static RedisConnector create(RedisSettings config, PrintStream events) {
        RedisURI uri;
        try {
            uri = RedisURI.create(config.url());
        } catch (IllegalArgumentException e) {
            // the parser's message quotes the URL, password included: say what, not the value
            throw new IllegalArgumentException("REDIS_URL cannot be read as a Redis URL (" + e.getClass().getSimpleName() + ")");
        }
        // The URI timeout bounds the handshake (HELLO, AUTH): keep it at connect scale, not command scale.
        Duration handshake = max(config.connectTimeout(), config.timeout());
        uri.setTimeout(handshake);
        GuardBreaker breaker = new GuardBreaker(config.breakerFailures(), config.breakerCooldown(), System::nanoTime,
                new BreakerLog(events));
        // Connecting may take: TCP connect, TLS handshake, HELLO; in cluster mode, topology then node connections.
        Duration budget = config.connectTimeout().multipliedBy(2).plus(handshake.multipliedBy(config.cluster() ? 3 : 1));
        Backend backend = config.cluster() ? cluster(uri, config) : standalone(uri, config);
        if (uri.isSsl()) {
            warmUpTls(config);
        }
        java.net.URI parsed = java.net.URI.create(config.url()); // checked as a URI when the configuration was read
        return new RedisConnector(backend, breaker, budget,
                Arrays.asList(passwordOf(parsed.getRawUserInfo()), passwordOf(parsed.getUserInfo())));
    }

    /** The password in the user-info part of {@code redis://[user:]password@host}, or null. */
    private static String passwordOf(String userInfo) {
        if (userInfo == null || userInfo.isEmpty()) {
            return null;
        }
        int colon = userInfo.indexOf(':');
        return colon < 0 ? userInfo : userInfo.substring(colon + 1);
    }

    /**
     * Builds a TLS context once at init, with no network: loading the JDK's TLS stack and the CA file
     * costs seconds of CPU on a cold JVM, better paid in the init phase (and kept in a SnapStart
     * snapshot) than by the first message. A failure here is left for the first connection to report.
     */
    private static void warmUpTls(RedisSettings config) {
        try {
            sslOptions(config).createSslContextBuilder().build();
        } catch (java.io.IOException | java.security.GeneralSecurityException | RuntimeException e) {
            // the first connection attempt fails the same way, and the guard is bypassed
        }
    }

    /** The scripting commands, each run through the breaker on the current connection (connecting if needed). */
    RedisScriptingCommands<String, String> commands() {
        return commands;
    }

    /**
     * Connects now rather than on the first command (SnapStart's {@code afterRestore}); best effort.
     *
     * @return whether a connection is open
     */
    boolean connectNow() {
        try {
            session();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        session.set(null); // shutting the client down closes its connections
        try {
            backend.shutdown();
        } catch (RuntimeException e) {
            // closing at shutdown: nothing left to do with the error
        }
    }

    // ---- the breaker around every command ----

    @SuppressWarnings("unchecked")
    private RedisScriptingCommands<String, String> guardedCommands() {
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return objectMethod(proxy, method, args);
            }
            GuardBreaker.Permit permit = breaker.acquire();
            boolean answered = false;
            Throwable failure = null;
            try {
                Object result = method.invoke(session().commands(), args);
                answered = true;
                return result;
            } catch (InvocationTargetException e) {
                failure = e.getCause();
                // an error reply (NOSCRIPT, CLUSTERDOWN…) is an answer: the connection works
                answered = failure instanceof RedisCommandExecutionException;
                throw failure;
            } catch (RuntimeException e) {
                failure = e;
                throw e;
            } finally {
                if (answered) {
                    breaker.succeeded(permit);
                } else if (breaker.failed(permit, failure)) {
                    dropSession();
                }
            }
        };
        return (RedisScriptingCommands<String, String>) Proxy.newProxyInstance(RedisConnector.class.getClassLoader(),
                new Class<?>[] {RedisScriptingCommands.class}, handler);
    }

    private static Object objectMethod(Object proxy, Method method, Object[] args) {
        return switch (method.getName()) {
            case "equals" -> proxy == args[0];
            case "hashCode" -> System.identityHashCode(proxy);
            default -> "RedisScriptingCommands (guarded by a breaker)";
        };
    }

    // ---- one connection, opened on first use, shared by concurrent callers ----

    private Session session() {
        while (true) {
            CompletableFuture<Session> current = session.get();
            if (current == null || current.isCompletedExceptionally()) {
                CompletableFuture<Session> fresh = new CompletableFuture<>();
                if (!session.compareAndSet(current, fresh)) {
                    continue; // another caller started a connection attempt: wait for that one
                }
                startConnect(fresh);
                current = fresh;
            }
            return await(current);
        }
    }

    private void startConnect(CompletableFuture<Session> target) {
        CompletableFuture<Session> attempt;
        try {
            attempt = backend.connect();
        } catch (RuntimeException e) {
            target.completeExceptionally(e);
            return;
        }
        attempt.whenComplete((opened, error) -> {
            if (error != null) {
                target.completeExceptionally(error);
            } else if (!target.complete(opened) || session.get() != target) {
                opened.connection().closeAsync(); // dropped while connecting
            }
        });
    }

    private Session await(CompletableFuture<Session> pending) {
        try {
            return pending.get(connectBudgetMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                    ? c.getCause() : e.getCause();
            throw new RedisConnectionException(connectFailure(cause), cause);
        } catch (TimeoutException e) {
            throw new RedisConnectionException("not connected within " + connectBudgetMillis + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RedisException("interrupted while connecting");
        }
    }

    /**
     * Why connecting failed, for the record's log line: Lettuce's own message ("Unable to connect
     * to host:port") and the root cause (WRONGPASS, connection refused, a TLS certificate problem,
     * a timeout), with the password scrubbed should any library have quoted it.
     */
    private String connectFailure(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
        if (root != failure) {
            text += " (" + root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage()) + ")";
        }
        for (String secret : secrets) {
            text = text.replace(secret, "***");
        }
        return text.length() > 300 ? text.substring(0, 300) + "…" : text;
    }

    /** Forgets the current connection (closing it once open); the next command connects afresh. */
    private void dropSession() {
        CompletableFuture<Session> old = session.getAndSet(null);
        if (old != null) {
            old.thenAccept(open -> open.connection().closeAsync());
        }
    }

    // ---- client set-up, standalone and cluster ----

    private static ClientResources resources() {
        return DefaultClientResources.builder().reconnectDelay(RECONNECT_DELAY).build();
    }

    private static SocketOptions socketOptions(RedisSettings config) {
        return SocketOptions.builder()
                .connectTimeout(config.connectTimeout())
                // detects a dead idle connection in about a minute (NIO on Java 11+ applies idle/interval/count)
                .keepAlive(SocketOptions.KeepAliveOptions.builder().enable()
                        .idle(Duration.ofSeconds(30)).interval(Duration.ofSeconds(10)).count(3).build())
                .tcpNoDelay(true)
                .build();
    }

    private static SslOptions sslOptions(RedisSettings config) {
        SslOptions.Builder ssl = SslOptions.builder().jdkSslProvider()
                // Netty's default TLS handshake timeout is 10 s: bound it like the TCP connect
                .handshakeTimeout(config.connectTimeout());
        if (config.tlsCaFile() != null) {
            ssl.trustManager(config.tlsCaFile().toFile());
        }
        return ssl.build();
    }

    /** The same Lambda-minded settings for both clients (the cluster builder extends the plain one). */
    private static void lambdaOptions(ClientOptions.Builder options, RedisSettings config) {
        options.socketOptions(socketOptions(config))
                .sslOptions(sslOptions(config))
                .timeoutOptions(TimeoutOptions.enabled(config.timeout()))
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
    }

    private static Backend standalone(RedisURI uri, RedisSettings config) {
        ClientResources resources = resources();
        RedisClient client = RedisClient.create(resources, uri);
        ClientOptions.Builder options = ClientOptions.builder();
        lambdaOptions(options, config);
        client.setOptions(options.build());
        return new Backend() {
            @Override
            public CompletableFuture<Session> connect() {
                return client.connectAsync(StringCodec.UTF8, uri).toCompletableFuture()
                        .thenCompose(connection -> loadScripts(connection.async())
                                .thenApply(ignored -> new Session(connection, connection.sync())));
            }

            @Override
            public void shutdown() {
                shutdownAll(client::shutdown, resources);
            }
        };
    }

    private static Backend cluster(RedisURI uri, RedisSettings config) {
        ClientResources resources = resources();
        RedisClusterClient client = RedisClusterClient.create(resources, uri);
        ClusterClientOptions.Builder options = ClusterClientOptions.builder();
        lambdaOptions(options, config);
        client.setOptions(options
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        .enablePeriodicRefresh(Duration.ofSeconds(60))
                        .enableAllAdaptiveRefreshTriggers()
                        .dynamicRefreshSources(true)
                        .closeStaleConnections(true)
                        .build())
                // a node flagged failed stays in CLUSTER NODES for a while: do not route to it
                .nodeFilter(node -> !(node.is(RedisClusterNode.NodeFlag.FAIL)
                        || node.is(RedisClusterNode.NodeFlag.EVENTUAL_FAIL)
                        || node.is(RedisClusterNode.NodeFlag.NOADDR)))
                .build());
        return new Backend() {
            @Override
            public CompletableFuture<Session> connect() {
                // (re)load the topology first: connectAsync needs it, and after an outage it may have changed
                return client.refreshPartitionsAsync().toCompletableFuture()
                        .thenCompose(loaded -> client.connectAsync(StringCodec.UTF8))
                        .thenCompose(connection -> connectMasters(connection)
                                .thenApply(ignored -> new Session(connection, connection.sync())));
            }

            @Override
            public void shutdown() {
                shutdownAll(client::shutdown, resources);
            }
        };
    }

    /**
     * Opens the connection to every master now, the ones slot-routed commands use, and loads the
     * scripts there: with {@code REJECT_COMMANDS} a command whose node connection is still opening
     * is rejected, so without this the first message for each node would bypass the guard (and the
     * first script run on each node would cost a NOSCRIPT round trip). Best effort: a node that
     * cannot be reached fails its own commands later, fast.
     */
    private static CompletableFuture<Void> connectMasters(StatefulRedisClusterConnection<String, String> connection) {
        CompletableFuture<?>[] masters = connection.getPartitions().stream()
                .filter(node -> node.is(RedisClusterNode.NodeFlag.UPSTREAM) && node.getUri() != null)
                .map(node -> connection.getConnectionAsync(node.getUri().getHost(), node.getUri().getPort(),
                                ConnectionIntent.WRITE)
                        .thenCompose(nodeConnection -> loadScripts(nodeConnection.async()))
                        .handle((loaded, error) -> Boolean.valueOf(error == null)))
                .toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(masters);
    }

    /**
     * Puts every script in the server's cache (SCRIPT LOAD, pipelined: one round trip at connect),
     * so that messages run EVALSHA straight away. Best effort: a script the server lost is still run
     * by EVAL on NOSCRIPT.
     */
    private static CompletableFuture<Void> loadScripts(RedisScriptingAsyncCommands<String, String> node) {
        CompletableFuture<?>[] loads = LuaScript.loaded().stream()
                .map(script -> node.scriptLoad(script.source()).toCompletableFuture()
                        .handle((sha, error) -> Boolean.valueOf(error == null)))
                .toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(loads);
    }

    private static void shutdownAll(Runnable shutdownClient, ClientResources resources) {
        try {
            shutdownClient.run();
        } finally {
            resources.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** Breaker transitions as JSON lines beside the per-record log; no URL, no secret. */
    private record BreakerLog(PrintStream out) implements GuardBreaker.Listener {
        @Override
        public void opened(int consecutiveFailures, Duration cooldown, String cause) {
            JsonLogLine.write(out, JsonLogLine.at(java.time.Instant.now(), "WARN")
                    .put("message", "Redis breaker open: the guard is bypassed")
                    .put("event", "REDIS_BREAKER_OPEN")
                    .put("consecutiveFailures", consecutiveFailures)
                    .put("cooldownMs", cooldown.toMillis())
                    .put("cause", cause));
        }

        @Override
        public void closed(Duration wasOpenFor) {
            JsonLogLine.write(out, JsonLogLine.at(java.time.Instant.now(), "INFO")
                    .put("message", "Redis breaker closed: the guard is back")
                    .put("event", "REDIS_BREAKER_CLOSED")
                    .put("openMs", wasOpenFor.toMillis()));
        }
    }
}
