package com.replyguard.generator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.replyguard.config.GeneratorSettings;
import com.replyguard.core.Job;
import com.replyguard.core.ReplyGenerator.GenerationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The openai generator against a local server speaking the chat-completions wire format. */
class OpenAiGeneratorIntegrationTest {

    @RegisterExtension
    static WireMockExtension openai = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "sk-test-Zx9Yw8Vv7Uu6";
    private static final String USER_TEXT = "on se voit samedi ?";

    private static OpenAiGenerator generator(Duration timeout, int attempts, String key) {
        return new OpenAiGenerator(
                new GeneratorSettings.OpenAi(URI.create(openai.baseUrl() + "/v1/"), "gpt-4o-mini", key, null),
                new GeneratorSettings.Llm(timeout, attempts, 150, null, 2));
    }

    private static Job job() {
        return new Job("match-9", "msg-9", "sqs-9", 1, USER_TEXT, null,
                List.of(new Job.Turn(Job.Turn.Role.USER, "coucou"),
                        new Job.Turn(Job.Turn.Role.ASSISTANT, "Hey !"),
                        new Job.Turn(Job.Turn.Role.USER, "ça va ?"),
                        new Job.Turn(Job.Turn.Role.ASSISTANT, "Très bien et toi ?")),
                "Léa");
    }

    private static String completion(String text) {
        return """
                {"id":"chatcmpl-1","object":"chat.completion","created":1796000000,"model":"gpt-4o-mini",
                 "choices":[{"index":0,"message":{"role":"assistant","content":%s},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":50,"completion_tokens":8,"total_tokens":58}}"""
                .formatted("\"" + text + "\"");
    }

    @Test
    void shouldPostAChatCompletion_andReturnTheText_whenTheEndpointAnswers() throws Exception {
        openai.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(okJson(completion("Avec plaisir !"))));

        String reply = generator(Duration.ofSeconds(5), 2, KEY).generate(job(), List.of(USER_TEXT));

        assertThat(reply).isEqualTo("Avec plaisir !");
        LoggedRequest request = openai.findAll(anyRequestedFor(anyUrl())).getFirst();
        assertThat(request.getHeader("Authorization")).isEqualTo("Bearer " + KEY);
        assertThat(request.getHeader("Content-Type")).isEqualTo("application/json");
        JsonNode body = JSON.readTree(request.getBodyAsString());
        assertThat(body.get("model").asText()).isEqualTo("gpt-4o-mini");
        assertThat(body.get("max_tokens").asInt()).isEqualTo(150);
        assertThat(body.has("temperature")).as("model default when unset").isFalse();
        JsonNode messages = body.get("messages");
        assertThat(messages).hasSize(4); // system + the last 2 history turns + the message
        assertThat(messages.get(0).get("role").asText()).isEqualTo("system");
        assertThat(messages.get(0).get("content").asText()).startsWith("You are Léa.");
        assertThat(messages.get(1).get("role").asText()).isEqualTo("user");
        assertThat(messages.get(1).get("content").asText()).isEqualTo("ça va ?");
        assertThat(messages.get(2).get("role").asText()).isEqualTo("assistant");
        assertThat(messages.get(3).get("role").asText()).isEqualTo("user");
        assertThat(messages.get(3).get("content").asText()).isEqualTo(USER_TEXT);
    }

    @Test
    void shouldSendNoAuthorization_whenNoKeyIsConfigured() throws Exception {
        openai.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(okJson(completion("ok"))));

        generator(Duration.ofSeconds(5), 1, null).generate(job(), List.of(USER_TEXT));

        assertThat(openai.findAll(anyRequestedFor(anyUrl())).getFirst().containsHeader("Authorization")).isFalse();
    }

    @Test
    void shouldRetryAfterTheServersDelay_andSucceed_whenThrottledOnce() throws Exception {
        openai.stubFor(post(urlEqualTo("/v1/chat/completions")).inScenario("429").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "0")
                        .withBody("{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}"))
                .willSetStateTo("ok"));
        openai.stubFor(post(urlEqualTo("/v1/chat/completions")).inScenario("429").whenScenarioStateIs("ok")
                .willReturn(okJson(completion("Oui !"))));

        assertThat(generator(Duration.ofSeconds(5), 2, KEY).generate(job(), List.of(USER_TEXT))).isEqualTo("Oui !");
        assertThat(openai.findAll(anyRequestedFor(anyUrl()))).hasSize(2);
    }

    @Test
    void shouldFail_afterBoundedRetries_whenThrottledEveryTime() {
        openai.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(429)
                .withBody("{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}")));

        assertThatThrownBy(() -> generator(Duration.ofSeconds(5), 3, KEY).generate(job(), List.of(USER_TEXT)))
                .isInstanceOf(GenerationException.class)
                .hasMessage("openai endpoint answered HTTP 429 (rate_limit_exceeded) (3 attempts)");
        assertThat(openai.findAll(anyRequestedFor(anyUrl()))).hasSize(3);
    }

    @Test
    void shouldFail_withoutRetrying_orEchoingTheKey_whenTheKeyIsRejected() {
        openai.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(401)
                .withBody("{\"error\":{\"message\":\"Incorrect API key provided: " + KEY + ". You can find your API key at ...\","
                        + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}")));

        assertThatThrownBy(() -> generator(Duration.ofSeconds(5), 3, KEY).generate(job(), List.of(USER_TEXT)))
                .hasMessage("openai endpoint answered HTTP 401 (invalid_api_key)")
                .hasMessageNotContaining(KEY);
        assertThat(openai.findAll(anyRequestedFor(anyUrl()))).hasSize(1);
    }

    @Test
    void shouldRetry_thenFail_whenTheServerErrorsEveryTime() {
        openai.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(502).withBody("bad gateway")));

        assertThatThrownBy(() -> generator(Duration.ofSeconds(5), 2, KEY).generate(job(), List.of(USER_TEXT)))
                .hasMessage("openai endpoint answered HTTP 502 (2 attempts)");
    }

    @Test
    void shouldTimeOut_withinTheBudget_whenTheEndpointIsSlow() {
        openai.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(okJson(completion("trop tard")).withFixedDelay(3_000)));

        long start = System.nanoTime();
        assertThatThrownBy(() -> generator(Duration.ofMillis(300), 2, KEY).generate(job(), List.of(USER_TEXT)))
                .isInstanceOf(GenerationException.class)
                .hasMessageStartingWith("openai endpoint timed out after 300 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2_000));
    }

    @Test
    void shouldFail_whenTheAnswerHasNoText() {
        openai.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(okJson(
                "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null},\"finish_reason\":\"content_filter\"}]}")));

        assertThatThrownBy(() -> generator(Duration.ofSeconds(5), 1, KEY).generate(job(), List.of(USER_TEXT)))
                .hasMessage("openai endpoint returned no text (finish_reason content_filter)");
    }

    @Test
    void shouldSendNothing_whenPriming() {
        generator(Duration.ofSeconds(5), 2, KEY).prime(job());

        assertThat(openai.findAll(anyRequestedFor(anyUrl()))).isEmpty();
    }
}
