package com.replyguard.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.LongSupplier;

/**
 * The bot's webhook: the receiver the checker judges by. Each container posts to
 * {@code /hook/<container>}, so that a fault can strike the container whose delivery is in flight.
 * A delivery counts as seen when the receiver read it and meant to keep it (a 2xx, or a 2xx sent
 * too late, or a sender killed after the body arrived); a 5xx or a sender killed before the
 * body was read is not seen.
 */
public final class Receiver implements AutoCloseable {

    /** One reply as the receiver saw it. {@code replyId} is its {@code Idempotency-Key}, or null without one. */
    public record Delivery(long atMs, String container, String replyId, String matchId, List<String> inReplyTo) {
    }

    /** What the receiver does with one request. */
    public sealed interface Action {
        record Accept() implements Action {
        }

        record Refuse() implements Action {
        }

        /** Answers 2xx after this long: past the sink's timeout, the sender takes it for a failure. */
        record Slow(long millis) implements Action {
        }

        /** Kills the sender while its request is open, before ({@code read} false) or after reading the body. */
        record KillSender(boolean read) implements Action {
        }
    }

    /** Decides each request's fate; called once per request, with the sending container. */
    public interface Policy {
        Action decide(String container);
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final LongSupplier clock;
    private final List<Delivery> seen = new CopyOnWriteArrayList<>();
    private final List<String> refused = new CopyOnWriteArrayList<>();
    private volatile Policy policy = container -> new Action.Accept();
    private volatile java.util.function.BiConsumer<String, String> killer = (container, why) -> { };

    private Receiver(HttpServer server, LongSupplier clock) {
        this.server = server;
        this.clock = clock;
    }

    /** @param clock milliseconds since the run started */
    public static Receiver start(LongSupplier clock) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
            Receiver receiver = new Receiver(server, clock);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.createContext("/hook/", receiver::handle);
            server.start();
            return receiver;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String url(String container) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook/" + container;
    }

    public void policy(Policy policy, java.util.function.BiConsumer<String, String> killer) {
        this.policy = policy;
        this.killer = killer;
    }

    public List<Delivery> seen() {
        return List.copyOf(seen);
    }

    /** Requests answered 5xx, as "container replyId". */
    public List<String> refused() {
        return List.copyOf(refused);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String container = exchange.getRequestURI().getPath().substring("/hook/".length());
            Action action = policy.decide(container);
            if (action instanceof Action.KillSender kill && !kill.read()) {
                killer.accept(container, "kill before the delivery was read");
                return;
            }
            byte[] body = exchange.getRequestBody().readAllBytes();
            String replyId = exchange.getRequestHeaders().getFirst("Idempotency-Key");
            if (action instanceof Action.Refuse) {
                refused.add(container + " " + replyId);
                respond(exchange, 503);
                return;
            }
            JsonNode reply = JSON.readTree(body);
            List<String> inReplyTo = new ArrayList<>();
            reply.path("inReplyTo").forEach(id -> inReplyTo.add(id.asText()));
            if (replyId == null && reply.hasNonNull("replyId")) {
                replyId = reply.get("replyId").asText();
            }
            seen.add(new Delivery(clock.getAsLong(), container, replyId, reply.path("matchId").asText(), inReplyTo));
            switch (action) {
                case Action.KillSender ignored -> killer.accept(container, "kill during delivery, the body read");
                case Action.Slow slow -> {
                    sleep(slow.millis());
                    respond(exchange, 200);
                }
                default -> respond(exchange, 200);
            }
        }
    }

    private static void respond(HttpExchange exchange, int status) {
        try {
            exchange.sendResponseHeaders(status, -1);
        } catch (IOException e) {
            // the sender is gone (killed, or it gave up): nothing to answer
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
