package com.replyguard.redis;

import com.replyguard.config.RedisSettings;
import com.replyguard.logging.JsonLogLine;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
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
 *   <li><b>Lazy, shared connection.</b> Creating the connector opens nothing; the first command (or
 *       the init-time priming) connects, and a container whose Redis is unreachable still starts.
 *       Concurrent first commands share one connection attempt.</li>
 *   <li><b>Bounded waits.</b> Connect timeout {@code REDIS_CONNECT_TIMEOUT_MS} (TCP, TLS handshake,
 *       HELLO/AUTH), command timeout {@code REDIS_TIMEOUT_MS} on every command, TCP keepalive.</li>
 *   <li><b>Never replayed.</b> Auto-reconnect stays on, but with {@code REJECT_COMMANDS} a command
 *       issued while disconnected fails at once, and the commands in flight when a connection drops
 *       are failed, not re-sent after the reconnect (a replayed admit would find its own flag and
 *       double an entry). A command that timed out or was cut off counts as unknown: it may have
 *       run ({@link #maybeRan}); the guard retries it once, with the same owner token.</li>
 *   <li><b>Cluster.</b> The cluster client opens node connections lazily, and with
 *       {@code REJECT_COMMANDS} a command for a node whose connection is still opening is rejected;
 *       so connecting also opens a connection to every master. Topology refresh is periodic and
 *       adaptive (MOVED, reconnects), and nodes flagged failed are filtered out.</li>
 *   <li><b>Breaker.</b> Every command goes through a {@link GuardBreaker}. Failures are no answer,
 *       no connection, or an error reply saying the server cannot serve ({@code READONLY},
 *       {@code LOADING}, {@code CLUSTERDOWN}…). After {@code READONLY} or {@code MASTERDOWN} (a
 *       connection left on a demoted primary), and after a probe that got no answer (a stale socket),
 *       the connection is dropped, so the next call connects afresh.</li>
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
    private final java.util.concurrent.atomic.AtomicBoolean probing = new java.util.concurrent.atomic.AtomicBoolean();
    private final long cooldownMillis;
    /** Whether Redis has answered this container (a handshake, a command): only a Redis that was there can be coming back. */
    private volatile boolean served;
    /** Whether the last connection attempt timed out (black-holed): trying again costs a connect timeout. */
    private volatile boolean unreachable;
    private volatile boolean closed;

    /** Set while the one retry of a command whose result is unknown runs: its timeout is the longer retry timeout. */
    private static final ThreadLocal<Boolean> PATIENT = ThreadLocal.withInitial(() -> Boolean.FALSE);
    /** Whether the guard's Redis serves writes again: the breaker's background probe. */
    private static final LuaScript PROBE = LuaScript.load("probe.lua", ScriptOutputType.STATUS);
    private static final String PROBE_KEY = "rg:{replyguard:probe}:ping";
    /** Background probes after the breaker opens: soon at first, a blip heals in a fraction of a second. */
    private static final long[] PROBE_DELAYS_MILLIS = {100, 200, 400, 800, 1_600};
    /** Background probes while calls wait for Redis to come back: every one of these. */
    private static final long RETURN_PROBE_MILLIS = 100;
    private static final long RETURN_POLL_MILLIS = 20;
    /** Background probes left unanswered before the connection is taken for stale and dropped (about 3 s). */
    private static final int STALE_AFTER_PROBES = 3;

    /** One open connection and the commands bound to it. */
    record Session(StatefulConnection<String, String> connection, RedisScriptingCommands<String, String> commands,
                   RedisScriptingAsyncCommands<String, String> async) {
    }

    /** How one kind of client (standalone or cluster) connects and shuts down. */
    interface Backend {
        CompletableFuture<Session> connect();

        void shutdown();
    }

    /** What a failed call says about Redis and about the command. */
    enum Failure {
        /** The server answered with an error of the command (a script error): the connection is healthy. */
        ANSWERED,
        /** The server answered that it cannot serve now (READONLY, LOADING, CLUSTERDOWN…): not run. */
        UNHEALTHY,
        /** Never sent: the breaker is open, or there is no connection. */
        NOT_SENT,
        /** Sent, and no answer (timed out, connection cut): it may have run, or may still run. */
        UNKNOWN
    }

    /** Error replies that say the server cannot serve now; the command did not run. */
    private static final List<String> UNHEALTHY_REPLIES = List.of("READONLY", "LOADING", "MASTERDOWN", "CLUSTERDOWN",
            "TRYAGAIN", "BUSY", "NOREPLICAS", "OOM", "MISCONF");
    /** Of those, the ones that mean this connection is on a demoted or failed primary: reconnect. */
    private static final List<String> STALE_PRIMARY = List.of("READONLY", "MASTERDOWN");

    RedisConnector(Backend backend, GuardBreaker breaker, Duration connectBudget, List<String> secrets) {
        this(backend, breaker, connectBudget, secrets, Duration.ofSeconds(2));
    }

    RedisConnector(Backend backend, GuardBreaker breaker, Duration connectBudget, List<String> secrets, Duration cooldown) {
        this.cooldownMillis = cooldown.toMillis();
        this.backend = backend;
        this.breaker = breaker;
        this.connectBudgetMillis = connectBudget.toMillis();
        this.secrets = secrets.stream().filter(secret -> secret != null && !secret.isEmpty()).toList();
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
        // a Redis lost a moment ago is waited for as long as an unknown result's retry: a restart or a
        // failover that short ends in an answer, as a stall that short does
        GuardBreaker breaker = new GuardBreaker(config.breakerFailures(), config.breakerCooldown(), config.retryTimeout(),
                System::nanoTime, new BreakerLog(events));
        // Connecting may take: TCP connect, TLS handshake, HELLO; in cluster mode, topology then node connections.
        Duration budget = config.connectTimeout().multipliedBy(2).plus(handshake.multipliedBy(config.cluster() ? 3 : 1));
        Backend backend = config.cluster() ? cluster(uri, config) : standalone(uri, config);
        if (uri.isSsl()) {
            warmUpTls(config);
        }
        java.net.URI parsed = java.net.URI.create(config.url()); // checked as a URI when the configuration was read
        return new RedisConnector(backend, breaker, budget,
                Arrays.asList(passwordOf(parsed.getRawUserInfo()), passwordOf(parsed.getUserInfo())), config.breakerCooldown());
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

    /**
     * Runs a script once, through the breaker, on the current connection (connecting if needed).
     *
     * @param retry whether this is the one retry of a call whose result was unknown: it passes an
     *              open breaker (see {@link GuardBreaker})
     * @throws RedisException when it failed; {@link #failure} says how
     */
    <T> T run(LuaScript script, String[] keys, String[] args, boolean retry) {
        return run(script, keys, args, retry, false);
    }

    /**
     * @param retriedIfUnknown the caller retries this call if its result is unknown: such a failure is
     *                         left to the retry to count, so that a stall the retry outlasts does not
     *                         open the breaker (an outage opens it when the retry fails too)
     */
    <T> T run(LuaScript script, String[] keys, String[] args, boolean retry, boolean retriedIfUnknown) {
        GuardBreaker.Permit permit = retry ? breaker.acquireRetry() : breaker.acquire();
        PATIENT.set(retry);
        try {
            // a probe asks whether Redis is back: not a connection the client is still re-establishing
            T result = script.run(session(permit.kind() == GuardBreaker.Kind.PROBE).commands(), keys, args);
            succeeded(permit);
            return result;
        } catch (RuntimeException e) {
            if (!(retriedIfUnknown && permit.kind() == GuardBreaker.Kind.CALL && failure(e) == Failure.UNKNOWN)) {
                account(permit, e);
            }
            throw e;
        } finally {
            PATIENT.set(Boolean.FALSE);
        }
    }

    /**
     * Runs a script if Redis can answer at little cost — passing an open breaker, opening none: for
     * recording, once Redis answers again, what was done without it. A stalled server (its
     * connection open, its answers late) is tried; a lost one (refused, cut) is tried on a fresh
     * connection, which costs a millisecond if it is still away; one never reached, or whose last
     * connection attempt timed out (black-holed), is not tried and costs nothing.
     */
    <T> T runIfConnected(LuaScript script, String[] keys, String[] args) {
        CompletableFuture<Session> current = session.get();
        if (!served || unreachable || current != null && !current.isDone()) {
            throw new NotConnectedException("not connected: sent nothing");
        }
        GuardBreaker.Permit permit = breaker.acquireRetry();
        PATIENT.set(Boolean.TRUE);
        try {
            T result = script.run(session(true).commands(), keys, args);
            succeeded(permit);
            return result;
        } catch (RuntimeException e) {
            account(permit, e);
            throw e;
        } finally {
            PATIENT.set(Boolean.FALSE);
        }
    }

    /**
     * Sends a script without waiting for it: the caller does not wait, the command goes on the
     * connection now, before any later command of the same thread. Fails at once, sending nothing,
     * when the breaker is not closed or no connection is open.
     */
    <T> CompletableFuture<T> runWithoutWaiting(LuaScript script, String[] keys, String[] args) {
        GuardBreaker.Permit permit;
        try {
            permit = breaker.acquire();
        } catch (GuardBreaker.OpenException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Session> current = session.get();
        if (permit.kind() != GuardBreaker.Kind.CALL || current == null || !current.isDone()
                || current.isCompletedExceptionally()) {
            if (permit.kind() == GuardBreaker.Kind.PROBE) {
                breaker.failed(permit, null); // an unused probe: the next call probes after the cool-down
            }
            return CompletableFuture.failedFuture(new NotConnectedException("not connected: sent nothing"));
        }
        CompletableFuture<T> result = script.runAsync(current.join().async(), keys, args);
        return result.whenComplete((value, error) -> {
            if (error == null) {
                succeeded(permit);
            } else {
                account(permit, unwrap(error));
            }
        });
    }

    /** Whether the breaker is closed: Redis answered the last calls. */
    boolean healthy() {
        return breaker.state() == GuardBreaker.State.CLOSED;
    }

    /**
     * Waits, while Redis may be coming back, for the breaker to close: after Redis that served this
     * container was lost (refused, cut — even under a command in flight —, loading; not a timeout,
     * whose wait is spent already), for up to the retry timeout from the loss, with the background
     * probe asking every 100 ms. A restart or a failover that short then ends in guarded answers, not
     * in replies sent without the guard that a copy arriving elsewhere could double. An outage costs
     * each container this wait once.
     *
     * @return whether Redis is back (the breaker closed); false at once when no such wait is running
     */
    boolean awaitReturn() {
        while (!closed) {
            if (healthy()) {
                return true;
            }
            long left = breaker.returnUntil() - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            pauseMillis(Math.min(RETURN_POLL_MILLIS, Math.max(1, left / 1_000_000)));
        }
        return false;
    }

    private boolean awaitingReturn() {
        return breaker.returnUntil() - System.nanoTime() > 0;
    }

    private void succeeded(GuardBreaker.Permit permit) {
        served = true;
        breaker.succeeded(permit);
    }

    /** How a failed call failed. */
    static Failure failure(Throwable e) {
        Throwable cause = unwrap(e);
        if (cause instanceof GuardBreaker.OpenException || cause instanceof NotConnectedException) {
            return Failure.NOT_SENT;
        }
        if (cause instanceof RedisCommandExecutionException reply) {
            return errorCode(reply, UNHEALTHY_REPLIES) != null ? Failure.UNHEALTHY : Failure.ANSWERED;
        }
        if (cause instanceof RedisException && cause.getMessage() != null
                && cause.getMessage().contains("Commands are rejected")) {
            return Failure.NOT_SENT; // Lettuce's REJECT_COMMANDS while disconnected: refused before sending
        }
        return Failure.UNKNOWN;
    }

    /**
     * Whether a failed call may have changed Redis: sent without an answer, or answered with an error
     * that a script can raise after some of its writes.
     */
    static boolean maybeRan(Throwable e) {
        return switch (failure(e)) {
            case NOT_SENT -> false;
            case UNHEALTHY -> {
                String code = errorCode((RedisCommandExecutionException) unwrap(e), UNHEALTHY_REPLIES);
                yield "OOM".equals(code) || "MISCONF".equals(code);
            }
            case ANSWERED, UNKNOWN -> true;
        };
    }

    private void account(GuardBreaker.Permit permit, Throwable e) {
        Failure failure = failure(e);
        if (failure == Failure.ANSWERED) {
            succeeded(permit); // the connection works; the command's own error is the caller's
            return;
        }
        if (e instanceof GuardBreaker.OpenException) {
            return;
        }
        // a Redis that served, lost fast (refused, cut, loading): it may be back in a moment
        if (breaker.failed(permit, e, permit.kind() != GuardBreaker.Kind.PROBE && !waitedOut(e) && served)) {
            startProbing();
        }
        boolean stalePrimary = failure == Failure.UNHEALTHY
                && errorCode((RedisCommandExecutionException) unwrap(e), STALE_PRIMARY) != null;
        // a failed probe with no answer: the socket may be stale (black-holed); the next probe connects afresh
        boolean staleSocket = failure == Failure.UNKNOWN && permit.kind() == GuardBreaker.Kind.PROBE;
        if (stalePrimary || staleSocket) {
            dropSession();
        }
    }

    /**
     * The error code of a reply, as sent ({@code READONLY You can't write…}) or, from a command a
     * script called, wrapped by older servers ({@code ERR Error running script … -READONLY …}).
     */
    private static String errorCode(RedisCommandExecutionException reply, List<String> codes) {
        String message = reply.getMessage() == null ? "" : reply.getMessage();
        for (String code : codes) {
            if (message.startsWith(code) || message.contains("-" + code + " ")) {
                return code;
            }
        }
        return null;
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof java.util.concurrent.CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /**
     * While the breaker is open, probes Redis in the background (a write, so that a read-only
     * replica does not pass), soon at first then once per cool-down, and closes the breaker as soon
     * as Redis serves: messages stop being answered without the guard within a fraction of a second
     * of Redis coming back, instead of waiting a whole cool-down for a message to probe.
     */
    private void startProbing() {
        if (closed || !probing.compareAndSet(false, true)) {
            return;
        }
        Thread.ofVirtual().name("redis-breaker-probe").start(() -> {
            try {
                for (int attempt = 0; !closed; attempt++) {
                    pauseMillis(awaitingReturn() ? RETURN_PROBE_MILLIS
                            : attempt < PROBE_DELAYS_MILLIS.length ? PROBE_DELAYS_MILLIS[attempt] : cooldownMillis);
                    GuardBreaker.Permit permit = breaker.acquireBackgroundProbe();
                    if (permit == null) {
                        if (breaker.state() == GuardBreaker.State.CLOSED) {
                            return;
                        }
                        continue; // a message's probe is running
                    }
                    try {
                        PROBE.run(session(true).commands(), new String[] {PROBE_KEY}, "probe");
                        succeeded(permit);
                        return;
                    } catch (RuntimeException e) {
                        breaker.failed(permit, e);
                        Failure failure = failure(e);
                        // a demoted primary: reconnect now; no answer: a stall (a retry may be waiting on this
                        // connection) or a stale socket, taken for stale once the stall outlasts a retry
                        if (failure == Failure.UNHEALTHY || failure == Failure.UNKNOWN && attempt >= STALE_AFTER_PROBES) {
                            dropSession();
                        }
                    }
                }
            } finally {
                probing.set(false);
            }
        });
    }

    private static void pauseMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** No connection could be had for a call: nothing was sent. */
    static final class NotConnectedException extends RedisConnectionException {
        NotConnectedException(String message) {
            super(message);
        }

        NotConnectedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Connects now rather than on the first command (SnapStart's {@code afterRestore}, priming); best effort.
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
        closed = true;
        session.set(null); // shutting the client down closes its connections
        try {
            backend.shutdown();
        } catch (RuntimeException e) {
            // closing at shutdown: nothing left to do with the error
        }
    }

    // ---- one connection, opened on first use, shared by concurrent callers ----

    private Session session() {
        return session(false);
    }

    /**
     * @param live whether a connection the client is re-establishing (its reconnect back-off runs up
     *             to seconds after a restart or a cut, rejecting every command meanwhile) is replaced
     *             by a fresh one: for the calls that ask whether Redis is back
     */
    private Session session(boolean live) {
        while (true) {
            CompletableFuture<Session> current = session.get();
            if (live && current != null && current.isDone() && !current.isCompletedExceptionally()
                    && !current.join().connection().isOpen()) {
                if (session.compareAndSet(current, null)) {
                    current.join().connection().closeAsync();
                }
                continue;
            }
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
            Session open = pending.get(connectBudgetMillis, TimeUnit.MILLISECONDS);
            unreachable = false;
            served = true; // it answered the handshake
            return open;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                    ? c.getCause() : e.getCause();
            unreachable = timedOut(cause);
            throw new NotConnectedException(connectFailure(cause), cause);
        } catch (TimeoutException e) {
            unreachable = true;
            throw new NotConnectedException("not connected within " + connectBudgetMillis + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RedisException("interrupted while connecting");
        }
    }

    /**
     * Whether a failed call spent its whole wait: the command timed out, or connecting did. Not a
     * command rejected while the client reconnects, nor a refused connection: those cost nothing.
     */
    private boolean waitedOut(Throwable e) {
        Throwable cause = unwrap(e);
        return cause instanceof io.lettuce.core.RedisCommandTimeoutException || cause instanceof NotConnectedException && unreachable;
    }

    /** Whether a connection attempt failed for want of an answer (connect or handshake timed out), not a refusal. */
    private static boolean timedOut(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof io.netty.channel.ConnectTimeoutException || t instanceof io.lettuce.core.RedisCommandTimeoutException
                    || t instanceof TimeoutException || t instanceof java.net.SocketTimeoutException
                    || t instanceof io.netty.handler.ssl.SslHandshakeTimeoutException) {
                return true;
            }
        }
        return false;
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
                .timeoutOptions(timeouts(config))
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
    }

    /**
     * Every command waits {@code REDIS_TIMEOUT_MS}; the one retry of a command whose result is
     * unknown waits {@code REDIS_RETRY_TIMEOUT_MS} (Lettuce reads the source on the calling thread).
     */
    private static TimeoutOptions timeouts(RedisSettings config) {
        long command = config.timeout().toMillis();
        long retry = Math.max(command, config.retryTimeout().toMillis());
        return TimeoutOptions.builder().timeoutSource(new TimeoutOptions.TimeoutSource() {
            @Override
            public long getTimeout(io.lettuce.core.protocol.RedisCommand<?, ?, ?> redisCommand) {
                return PATIENT.get() ? retry : command;
            }

            @Override
            public TimeUnit getTimeUnit() {
                return TimeUnit.MILLISECONDS;
            }
        }).build();
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
                                .thenApply(ignored -> new Session(connection, connection.sync(), connection.async())));
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
                                .thenApply(ignored -> new Session(connection, connection.sync(), connection.async())));
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
