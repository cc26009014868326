package com.replyguard.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Lambda Runtime API on a loopback port: what Lambda's own service answers to the runtime
 * interface client inside a container, so that a test can run the deployable as Lambda runs it.
 *
 * <ul>
 *   <li>{@code GET /2018-06-01/runtime/invocation/next} waits for {@link #invoke} and answers the
 *       event with the headers Lambda sets (request id, deadline, function ARN, trace id);</li>
 *   <li>{@code POST …/invocation/{id}/response} and {@code …/{id}/error} end that invocation;</li>
 *   <li>{@code POST …/init/error}, {@code GET …/restore/next} (SnapStart: the checkpoint hooks ran,
 *       the "snapshot" is resumed at once) and {@code POST …/restore/error} are recorded.</li>
 * </ul>
 * One container (one client) per instance, as in Lambda.
 */
public final class LoopbackRuntimeApi implements AutoCloseable {

    public static final String FUNCTION_ARN = "arn:aws:lambda:eu-west-3:123456789012:function:reply-guard";
    private static final String BASE = "/2018-06-01/runtime";

    /** How one invocation ended: the handler's response, or the error the client reported. */
    public record Result(boolean succeeded, String body, String errorType) {
    }

    private record Pending(String requestId, String event, long deadlineMs) {
    }

    private final HttpServer server;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Map<String, CompletableFuture<Result>> results = new ConcurrentHashMap<>();
    private final List<String> initErrors = new CopyOnWriteArrayList<>();
    private final List<String> restoreErrors = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> restoreRequested = new CompletableFuture<>();
    private final CompletableFuture<Void> firstPoll = new CompletableFuture<>();
    private volatile long restoreRequestedAt;

    private LoopbackRuntimeApi(HttpServer server) {
        this.server = server;
    }

    public static LoopbackRuntimeApi start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            LoopbackRuntimeApi api = new LoopbackRuntimeApi(server);
            // /next blocks until an invocation is queued: one virtual thread per exchange
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.createContext(BASE + "/", api::handle);
            server.start();
            return api;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code host:port}, the value of {@code AWS_LAMBDA_RUNTIME_API}. */
    public String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** Queues an invocation with this much time before its deadline; the result completes when the client reports. */
    public CompletableFuture<Result> invoke(String event, Duration timeout) {
        String id = UUID.randomUUID().toString();
        CompletableFuture<Result> result = new CompletableFuture<>();
        results.put(id, result);
        queue.add(new Pending(id, event, System.currentTimeMillis() + timeout.toMillis()));
        return result;
    }

    /** Invokes and waits for the result, failing the test after {@code timeout} plus a margin. */
    public Result invokeAndWait(String event, Duration timeout) {
        try {
            return invoke(event, timeout).get(timeout.toMillis() + 10_000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("no response from the runtime client within " + timeout, e);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Whether the client asked for its first invocation (init done) within {@code wait}. */
    public boolean awaitFirstPoll(Duration wait) {
        return await(firstPoll, wait);
    }

    /** Whether the client called {@code /restore/next} (SnapStart: the checkpoint hooks ran) within {@code wait}. */
    public boolean awaitRestoreRequested(Duration wait) {
        return await(restoreRequested, wait);
    }

    /** {@link System#nanoTime} when {@code /restore/next} was called, or 0. */
    public long restoreRequestedAt() {
        return restoreRequestedAt;
    }

    public List<String> initErrors() {
        return List.copyOf(initErrors);
    }

    public List<String> restoreErrors() {
        return List.copyOf(restoreErrors);
    }

    private static boolean await(CompletableFuture<Void> event, Duration wait) {
        try {
            event.get(wait.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath().substring(BASE.length());
            String method = exchange.getRequestMethod();
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (method.equals("GET") && path.equals("/invocation/next")) {
                next(exchange);
            } else if (method.equals("POST") && path.startsWith("/invocation/") && path.endsWith("/response")) {
                complete(path, new Result(true, utf8(body), null));
                respond(exchange, 202, "{\"status\":\"OK\"}");
            } else if (method.equals("POST") && path.startsWith("/invocation/") && path.endsWith("/error")) {
                complete(path, new Result(false, utf8(body),
                        exchange.getRequestHeaders().getFirst("Lambda-Runtime-Function-Error-Type")));
                respond(exchange, 202, "{\"status\":\"OK\"}");
            } else if (method.equals("POST") && path.equals("/init/error")) {
                initErrors.add(utf8(body));
                respond(exchange, 202, "{\"status\":\"OK\"}");
            } else if (method.equals("GET") && path.equals("/restore/next")) {
                restoreRequestedAt = System.nanoTime();
                restoreRequested.complete(null);
                respond(exchange, 200, "");
            } else if (method.equals("POST") && path.equals("/restore/error")) {
                restoreErrors.add(utf8(body));
                respond(exchange, 202, "{\"status\":\"OK\"}");
            } else {
                respond(exchange, 404, "{\"errorMessage\":\"unknown path\"}");
            }
        }
    }

    private void next(HttpExchange exchange) throws IOException {
        firstPoll.complete(null);
        Pending pending;
        try {
            pending = queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return; // shutting down
        }
        var headers = exchange.getResponseHeaders();
        headers.add("Lambda-Runtime-Aws-Request-Id", pending.requestId());
        headers.add("Lambda-Runtime-Deadline-Ms", Long.toString(pending.deadlineMs()));
        headers.add("Lambda-Runtime-Invoked-Function-Arn", FUNCTION_ARN);
        headers.add("Lambda-Runtime-Trace-Id", "Root=1-" + Long.toHexString(System.currentTimeMillis() / 1000)
                + "-" + pending.requestId().replace("-", "").substring(0, 24) + ";Parent=0000000000000000;Sampled=0");
        headers.add("Content-Type", "application/json");
        respond(exchange, 200, pending.event());
    }

    private void complete(String path, Result result) {
        String id = path.substring("/invocation/".length(), path.lastIndexOf('/'));
        CompletableFuture<Result> future = results.remove(id);
        if (future != null) {
            future.complete(result);
        }
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
    }

    private static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        server.stop(0);
        results.values().forEach(f -> f.completeExceptionally(new IllegalStateException("runtime API closed")));
    }
}
