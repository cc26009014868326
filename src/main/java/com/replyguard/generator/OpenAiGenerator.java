package com.replyguard.generator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.replyguard.config.GeneratorSettings;
import com.replyguard.core.Job;
import com.replyguard.core.Primeable;
import com.replyguard.core.ReplyGenerator;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Writes the reply with any OpenAI-compatible chat-completions endpoint (OpenAI, Azure OpenAI's
 * v1 API, Mistral, Groq, vLLM, Ollama…): {@code POST {OPENAI_BASE_URL}/chat/completions} with
 * {@code Authorization: Bearer <key>}, using java.net.http and Jackson.
 *
 * <p>Each attempt is bounded by {@code GENERATOR_TIMEOUT_MS}; 429 and 5xx answers and connection
 * errors are retried, up to {@code GENERATOR_MAX_ATTEMPTS}, after a short backoff (or the server's
 * {@code Retry-After}, capped), never past the total budget. Other 4xx answers are not retried.
 * Error messages carry the HTTP status and the error's {@code code}/{@code type} only: the error's
 * message can quote the request, or part of the API key (OpenAI's 401 does).
 */
public final class OpenAiGenerator implements ReplyGenerator, Primeable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration MAX_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration BASE_BACKOFF = Duration.ofMillis(200);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);

    private final HttpClient http;
    private final URI endpoint;
    private final String model;
    private final String apiKey;
    private final GeneratorSettings.Llm llm;

    public OpenAiGenerator(GeneratorSettings.OpenAi openAi, GeneratorSettings.Llm llm) {
        this.endpoint = URI.create(stripSlash(openAi.baseUrl().toString()) + "/chat/completions");
        this.model = openAi.model();
        this.apiKey = openAi.apiKey();
        this.llm = llm;
        this.http = HttpClient.newBuilder()
                .connectTimeout(llm.timeout().compareTo(MAX_CONNECT_TIMEOUT) < 0 ? llm.timeout() : MAX_CONNECT_TIMEOUT)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    @Override
    public String generate(Job job, List<String> messages, List<String> alreadySaid) throws GenerationException {
        HttpRequest request = request(body(job, messages, alreadySaid));
        long deadline = System.nanoTime() + llm.budget().toNanos();
        String failure = null;
        for (int attempt = 1; attempt <= llm.maxAttempts(); attempt++) {
            boolean retryable;
            Duration wait = backoff(attempt);
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status / 100 == 2) {
                    return reply(response.body());
                }
                failure = "openai endpoint answered HTTP " + status + errorCode(response.body());
                retryable = status == 429 || status / 100 == 5;
                wait = retryAfter(response).orElse(wait);
            } catch (HttpTimeoutException e) {
                failure = "openai endpoint timed out after " + llm.timeout().toMillis() + " ms";
                retryable = true;
            } catch (IOException e) {
                failure = "openai endpoint unreachable: " + e.getClass().getSimpleName();
                retryable = true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new GenerationException("interrupted while generating");
            }
            long left = deadline - System.nanoTime() - wait.toNanos();
            if (!retryable || attempt == llm.maxAttempts() || left < llm.timeout().toNanos() / 2) {
                throw new GenerationException(failure + (attempt > 1 ? " (" + attempt + " attempts)" : ""));
            }
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new GenerationException("interrupted while generating");
            }
        }
        throw new GenerationException(failure);
    }

    String body(Job job, List<String> messages) {
        return body(job, messages, List.of());
    }

    String body(Job job, List<String> messages, List<String> alreadySaid) {
        Conversation conversation = Conversation.of(job, messages, alreadySaid, llm.historyTurns());
        ObjectNode body = JSON.createObjectNode();
        body.put("model", model);
        ArrayNode turns = body.putArray("messages");
        turns.addObject().put("role", "system").put("content", conversation.system());
        for (Conversation.Turn turn : conversation.turns()) {
            turns.addObject().put("role", turn.user() ? "user" : "assistant").put("content", turn.text());
        }
        body.put("max_tokens", llm.maxTokens());
        if (llm.temperature() != null) {
            body.put("temperature", llm.temperature());
        }
        body.put("n", 1);
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    private HttpRequest request(String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
                .timeout(llm.timeout())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (apiKey != null) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        return request.build();
    }

    static String reply(String body) throws GenerationException {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw new GenerationException("openai endpoint answered 2xx with a body that is not JSON");
        }
        JsonNode choice = root == null ? null : root.path("choices").path(0);
        JsonNode content = choice == null ? null : choice.path("message").path("content");
        if (content == null || !content.isTextual() || content.asText().isBlank()) {
            String finish = choice == null ? "" : choice.path("finish_reason").asText("");
            throw new GenerationException("openai endpoint returned no text"
                    + (finish.isEmpty() ? "" : " (finish_reason " + finish + ")"));
        }
        return content.asText().strip();
    }

    /** The error's code or type from an OpenAI-style error body, never its message. */
    private static String errorCode(String body) {
        try {
            JsonNode error = JSON.readTree(body).path("error");
            String code = error.path("code").asText("");
            String type = error.path("type").asText("");
            String id = !code.isEmpty() && !"null".equals(code) ? code : type;
            return id.isEmpty() || !id.matches("[A-Za-z0-9_.-]{1,64}") ? "" : " (" + id + ")";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static Optional<Duration> retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").flatMap(value -> {
            try {
                long seconds = Long.parseLong(value.strip());
                return Optional.of(Duration.ofSeconds(Math.max(0, Math.min(seconds, MAX_BACKOFF.toSeconds()))));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }

    private static Duration backoff(int attempt) {
        Duration wait = BASE_BACKOFF.multipliedBy(1L << Math.min(attempt - 1, 4));
        return wait.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : wait;
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** Serialises a request for a synthetic job and parses a canned answer: no network call. */
    @Override
    public void prime(Job sample) {
        try {
            request(body(sample, List.of(sample.userMessage())));
            reply("{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},\"finish_reason\":\"stop\"}]}");
            errorCode("{\"error\":{\"code\":\"rate_limit_exceeded\",\"type\":\"requests\"}}");
        } catch (GenerationException | RuntimeException e) {
            // priming is best effort
        }
    }
}
