package com.replyguard.generator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.replyguard.aws.AwsClients;
import com.replyguard.aws.Priming;
import com.replyguard.config.AwsSettings;
import com.replyguard.config.GeneratorSettings;
import com.replyguard.core.Job;
import com.replyguard.core.ReplyGenerator.GenerationException;
import com.replyguard.testing.BedrockWire;
import com.replyguard.testing.LocalAws;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The bedrock generator against a local server speaking Bedrock Runtime's Converse wire format. */
class BedrockGeneratorIntegrationTest {

    @RegisterExtension
    static WireMockExtension bedrock = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL = "eu.anthropic.claude-3-haiku-20240307-v1:0";
    private static final String USER_TEXT = "tu fais quoi dans la vie ?";

    private AwsClients aws;

    @BeforeAll
    static void credentials() {
        LocalAws.useDummyCredentials();
    }

    @AfterEach
    void close() {
        if (aws != null) {
            aws.close();
        }
    }

    private BedrockGenerator generator(Duration timeout, int attempts) {
        GeneratorSettings.Llm llm = new GeneratorSettings.Llm(timeout, attempts, 200, 0.7, 20);
        aws = new AwsClients(new AwsSettings(LocalAws.REGION,
                Map.of(AwsSettings.BEDROCK_RUNTIME, URI.create(bedrock.baseUrl())), null));
        return new BedrockGenerator(aws.bedrock(llm.timeout(), llm.maxAttempts()), MODEL, llm);
    }

    private static Job job() {
        return new Job("match-42", "msg-1001", "sqs-1", 1, USER_TEXT, null,
                List.of(new Job.Turn(Job.Turn.Role.ASSISTANT, "Salut !"),
                        new Job.Turn(Job.Turn.Role.USER, "hello"),
                        new Job.Turn(Job.Turn.Role.ASSISTANT, "Ça va ?")),
                "Léa, 27 ans, marketing à Lyon");
    }

    @Test
    void shouldSendAConverseRequest_andReturnTheText_whenBedrockAnswers() throws Exception {
        bedrock.stubFor(BedrockWire.converse().willReturn(BedrockWire.reply("  Je bosse en marketing, et toi ?  ")));

        String reply = generator(Duration.ofSeconds(5), 2).generate(job(), List.of(USER_TEXT));

        assertThat(reply).isEqualTo("Je bosse en marketing, et toi ?");
        List<LoggedRequest> requests = bedrock.findAll(anyRequestedFor(anyUrl()));
        assertThat(requests).hasSize(1);
        LoggedRequest request = requests.getFirst();
        assertThat(request.getMethod().getName()).isEqualTo("POST");
        assertThat(request.getUrl()).isEqualTo("/model/eu.anthropic.claude-3-haiku-20240307-v1%3A0/converse");
        assertThat(request.getHeader("Authorization")).startsWith("AWS4-HMAC-SHA256 Credential=AKIDLOCALTEST/")
                .contains("/eu-west-3/bedrock/aws4_request");
        JsonNode body = JSON.readTree(request.getBodyAsString());
        assertThat(body.at("/system/0/text").asText()).contains("Léa, 27 ans, marketing à Lyon")
                .contains("You opened the conversation with: Salut !");
        JsonNode messages = body.get("messages");
        assertThat(messages).hasSize(3);
        assertThat(messages.get(0).get("role").asText()).isEqualTo("user");
        assertThat(messages.get(0).at("/content/0/text").asText()).isEqualTo("hello");
        assertThat(messages.get(1).get("role").asText()).isEqualTo("assistant");
        assertThat(messages.get(1).at("/content/0/text").asText()).isEqualTo("Ça va ?");
        assertThat(messages.get(2).get("role").asText()).isEqualTo("user");
        assertThat(messages.get(2).at("/content/0/text").asText()).isEqualTo(USER_TEXT);
        assertThat(body.at("/inferenceConfig/maxTokens").asInt()).isEqualTo(200);
        assertThat(body.at("/inferenceConfig/temperature").asDouble()).isCloseTo(0.7, org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void shouldAnswerSeveralMessages_inOneUserTurn_whenASequenceIsHandedOver() throws Exception {
        bedrock.stubFor(BedrockWire.converse().willReturn(BedrockWire.reply("Marketing, à Lyon !")));

        generator(Duration.ofSeconds(5), 1).generate(job(), List.of(USER_TEXT, "et tu habites où ?"));

        JsonNode body = JSON.readTree(bedrock.findAll(anyRequestedFor(anyUrl())).getFirst().getBodyAsString());
        assertThat(body.get("messages").get(2).at("/content/0/text").asText())
                .isEqualTo(USER_TEXT + "\net tu habites où ?");
    }

    @Test
    void shouldRetry_andSucceed_whenBedrockFailsOnceWith5xx() throws Exception {
        bedrock.stubFor(BedrockWire.converse().inScenario("flaky").whenScenarioStateIs(STARTED)
                .willReturn(BedrockWire.error(503, "ServiceUnavailableException", "try again"))
                .willSetStateTo("recovered"));
        bedrock.stubFor(BedrockWire.converse().inScenario("flaky").whenScenarioStateIs("recovered")
                .willReturn(BedrockWire.reply("Et toi ?")));

        assertThat(generator(Duration.ofSeconds(5), 2).generate(job(), List.of(USER_TEXT))).isEqualTo("Et toi ?");
        assertThat(bedrock.findAll(anyRequestedFor(anyUrl()))).hasSize(2);
    }

    @Test
    void shouldFail_afterBoundedRetries_whenBedrockThrottles() {
        bedrock.stubFor(BedrockWire.converse().willReturn(BedrockWire.error(429, "ThrottlingException", "Too many requests")));

        assertThatThrownBy(() -> generator(Duration.ofSeconds(5), 3).generate(job(), List.of(USER_TEXT)))
                .isInstanceOf(GenerationException.class)
                .hasMessage("bedrock ThrottlingException (HTTP 429) after 3 attempts");
        assertThat(bedrock.findAll(anyRequestedFor(anyUrl()))).hasSize(3);
    }

    @Test
    void shouldFail_withoutRetrying_orQuotingTheText_whenBedrockRejectsTheRequest() {
        bedrock.stubFor(BedrockWire.converse().willReturn(BedrockWire.error(400, "ValidationException",
                "Malformed input request: " + USER_TEXT)));

        assertThatThrownBy(() -> generator(Duration.ofSeconds(5), 3).generate(job(), List.of(USER_TEXT)))
                .isInstanceOf(GenerationException.class)
                .hasMessage("bedrock ValidationException (HTTP 400)")
                .hasMessageNotContaining(USER_TEXT);
        assertThat(bedrock.findAll(anyRequestedFor(anyUrl()))).hasSize(1);
    }

    @Test
    void shouldFail_whenAccessToTheModelIsDenied() {
        bedrock.stubFor(BedrockWire.converse().willReturn(BedrockWire.error(403, "AccessDeniedException",
                "You don't have access to the model with the specified model ID.")));

        assertThatThrownBy(() -> generator(Duration.ofSeconds(5), 2).generate(job(), List.of(USER_TEXT)))
                .hasMessage("bedrock AccessDeniedException (HTTP 403)");
    }

    @Test
    void shouldTimeOut_withinTheBudget_whenBedrockIsSlow() {
        bedrock.stubFor(BedrockWire.converse().willReturn(BedrockWire.reply("trop tard").withFixedDelay(3_000)));

        long start = System.nanoTime();
        assertThatThrownBy(() -> generator(Duration.ofMillis(300), 2).generate(job(), List.of(USER_TEXT)))
                .isInstanceOf(GenerationException.class)
                .hasMessageStartingWith("bedrock timed out");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2_000));
    }

    @Test
    void shouldFail_whenBedrockReturnsNoText() {
        bedrock.stubFor(BedrockWire.converse().willReturn(com.github.tomakehurst.wiremock.client.WireMock.okJson(
                "{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":[]}},\"stopReason\":\"content_filtered\"}")));

        assertThatThrownBy(() -> generator(Duration.ofSeconds(5), 1).generate(job(), List.of(USER_TEXT)))
                .hasMessage("bedrock returned no text (stopReason content_filtered)");
    }

    @Test
    void shouldSignTheRequest_butSendNothing_whenPriming() {
        BedrockGenerator generator = generator(Duration.ofSeconds(5), 3);
        long start = System.nanoTime();

        generator.prime(job());
        assertThatThrownBy(() -> aws.bedrock(Duration.ofSeconds(5), 3)
                .converse(generator.request(job(), List.of(USER_TEXT)).overrideConfiguration(Priming.request()).build()))
                .satisfies(e -> assertThat(Priming.stoppedBeforeSending(e)).as("stopped by the priming interceptor").isTrue());

        assertThat(bedrock.findAll(anyRequestedFor(anyUrl()))).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("not retried").isLessThan(Duration.ofSeconds(2));
    }
}
