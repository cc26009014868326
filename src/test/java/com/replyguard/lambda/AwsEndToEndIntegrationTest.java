package com.replyguard.lambda;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.replyguard.aws.Secrets;
import com.replyguard.testing.BedrockWire;
import com.replyguard.testing.Capture;
import com.replyguard.testing.ElasticMq;
import com.replyguard.testing.LocalAws;
import com.replyguard.testing.MutableClock;
import com.replyguard.testing.RealRedis;
import com.replyguard.testing.SecretsManagerWire;
import com.replyguard.testing.Sqs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.sqs.model.Message;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static com.replyguard.testing.SecretsManagerWire.ARN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The deployed configuration end to end, every AWS part on a local server speaking its wire
 * protocol: the Redis URL read from Secrets Manager at init (Upstash mode), replies written by
 * Bedrock Converse or an OpenAI-compatible endpoint, delivered to SQS (ElasticMQ), the guard in a
 * real Redis. Failures of generation and delivery end FAILED, in batchItemFailures, with the
 * match's flag cleared, and the retry answers (I3).
 */
class AwsEndToEndIntegrationTest {

    @RegisterExtension
    static WireMockExtension aws = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Capture log = new Capture();
    private final Capture stdout = new Capture();
    private final List<ReplyGuardHandler> handlers = new ArrayList<>();
    private String queueName;
    private String queueUrl;

    @BeforeAll
    static void credentials() {
        LocalAws.useDummyCredentials();
    }

    @BeforeEach
    void setUp() {
        RealRedis.flush();
        queueName = "replies-" + UUID.randomUUID();
        queueUrl = ElasticMq.endpoint() + "/000000000000/" + queueName;
        aws.stubFor(SecretsManagerWire.getSecretValue(ARN).willReturn(SecretsManagerWire.secretString(ARN, RealRedis.url())));
    }

    @AfterEach
    void tearDown() {
        handlers.forEach(ReplyGuardHandler::close);
    }

    /** The template's environment: Upstash mode (URL in a secret), Bedrock, SQS sink, local endpoints. */
    private Map<String, String> deployedEnv(String... overrides) {
        Map<String, String> env = Containers.env(
                "REDIS_URL", "",
                "REDIS_URL_SECRET_ARN", ARN,
                "GENERATOR", "bedrock",
                "BEDROCK_MODEL_ID", "eu.anthropic.claude-3-haiku-20240307-v1:0",
                "GENERATOR_TIMEOUT_MS", "3000",
                "GENERATOR_MAX_ATTEMPTS", "2",
                "REPLY_SINK", "sqs",
                "REPLY_QUEUE_URL", queueUrl,
                "REPLY_QUEUE_TIMEOUT_MS", "2000",
                "FUNCTION_TIMEOUT_SECONDS", "30",
                "AWS_REGION", LocalAws.REGION,
                "AWS_ENDPOINT_URL_SECRETS_MANAGER", aws.baseUrl(),
                "AWS_ENDPOINT_URL_BEDROCK_RUNTIME", aws.baseUrl(),
                "AWS_ENDPOINT_URL_SQS", ElasticMq.endpoint().toString());
        for (int i = 0; i + 1 < overrides.length; i += 2) {
            env.put(overrides[i], overrides[i + 1]);
        }
        return env;
    }

    private ReplyGuardHandler start(Map<String, String> env) {
        return start(env, Clock.systemUTC());
    }

    private ReplyGuardHandler start(Map<String, String> env, Clock clock) {
        ReplyGuardHandler handler = Containers.start(env, clock, log, stdout);
        handlers.add(handler);
        return handler;
    }

    private List<Message> replies() {
        return ElasticMq.client().receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(1)
                .messageAttributeNames("All")).messages();
    }

    private static boolean flagHeld(String matchId) {
        return RealRedis.inspect().exists("rg:{" + matchId + "}:flag") == 1;
    }

    @Test
    void shouldReadRedisFromTheSecret_generateWithBedrock_andSendToSqs_whenDeployedWithUpstash() throws Exception {
        ElasticMq.createQueue(queueName);
        aws.stubFor(BedrockWire.converse().willReturn(BedrockWire.reply("Je bosse en marketing, et toi ?")));
        ReplyGuardHandler handler = start(deployedEnv());

        SQSBatchResponse first = handler.handleRequest(Sqs.event(
                Sqs.record("sqs-1", Sqs.job("match-e2e", "msg-1", "tu fais quoi dans la vie ?"), 1),
                Sqs.record("sqs-2", Sqs.job("match-e2e", "msg-1", "tu fais quoi dans la vie ?"), 1)), null);

        assertThat(Sqs.failedIds(first)).isEmpty();
        assertThat(log.outcomes()).containsExactly("REPLIED", "SKIPPED_ALREADY_ANSWERED");
        List<Message> replies = replies();
        assertThat(replies).hasSize(1);
        JsonNode reply = JSON.readTree(replies.getFirst().body());
        assertThat(reply.get("reply").asText()).isEqualTo("Je bosse en marketing, et toi ?");
        assertThat(reply.get("inReplyTo").get(0).asText()).isEqualTo("msg-1");
        assertThat(replies.getFirst().messageAttributes().get("matchId").stringValue()).isEqualTo("match-e2e");
        assertThat(RealRedis.inspect().exists("rg:{match-e2e}:answered:msg-1")).isEqualTo(1L);
        aws.verify(1, anyRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("secretsmanager.GetSecretValue")));
        assertThat(stdout.text()).isEmpty();
        assertThat(log.text()).doesNotContain("tu fais quoi").doesNotContain("Je bosse");
    }

    @Test
    void shouldFailTheRecord_clearTheFlag_andAnswerTheRetry_whenBedrockThrottles() {
        ElasticMq.createQueue(queueName);
        aws.stubFor(BedrockWire.converse().willReturn(BedrockWire.error(429, "ThrottlingException", "Too many requests")));
        ReplyGuardHandler handler = start(deployedEnv());

        SQSBatchResponse first = handler.handleRequest(Sqs.event(
                Sqs.record("sqs-t", Sqs.job("match-throttle", "msg-t", "on se voit samedi ?"), 1)), null);

        assertThat(Sqs.failedIds(first)).containsExactly("sqs-t");
        assertThat(log.outcomes()).containsExactly("FAILED");
        assertThat(log.records().getFirst().get("error").asText()).contains("ThrottlingException (HTTP 429)");
        assertThat(flagHeld("match-throttle")).as("flag left behind").isFalse();
        assertThat(replies()).isEmpty();

        aws.resetAll();
        aws.stubFor(BedrockWire.converse().willReturn(BedrockWire.reply("Samedi c'est parfait !")));
        log.reset();
        SQSBatchResponse retry = handler.handleRequest(Sqs.event(
                Sqs.record("sqs-t", Sqs.job("match-throttle", "msg-t", "on se voit samedi ?"), 2)), null);

        assertThat(Sqs.failedIds(retry)).isEmpty();
        assertThat(log.outcomes()).containsExactly("REPLIED");
        assertThat(replies()).hasSize(1);
    }

    @Test
    void shouldFailTheRecord_clearTheFlag_andResendTheCommittedReply_whenTheReplyQueueWasMissing() {
        aws.stubFor(BedrockWire.converse().willReturn(BedrockWire.reply("Avec plaisir !")));
        MutableClock clock = MutableClock.startingNow();
        ReplyGuardHandler handler = start(deployedEnv(), clock);

        SQSBatchResponse first = handler.handleRequest(Sqs.event(
                Sqs.record("sqs-q", Sqs.job("match-queue", "msg-q", "un verre jeudi ?"), 1)), null);

        assertThat(Sqs.failedIds(first)).containsExactly("sqs-q");
        assertThat(log.records().getFirst().get("error").asText())
                .isEqualTo("delivery failed: sqs send failed: QueueDoesNotExist (HTTP 400)");
        assertThat(flagHeld("match-queue")).isFalse();
        String committed = RealRedis.inspect().get("rg:{match-queue}:answered:msg-q");
        assertThat(committed).as("the reply stays committed: the outbox").isNotNull();

        ElasticMq.createQueue(queueName);
        log.reset();
        clock.advance(java.time.Duration.ofSeconds(30)); // past the SQS sink's delivery timeout
        SQSBatchResponse retry = handler.handleRequest(Sqs.event(
                Sqs.record("sqs-q", Sqs.job("match-queue", "msg-q", "un verre jeudi ?"), 2)), null);

        assertThat(Sqs.failedIds(retry)).isEmpty();
        assertThat(log.outcomes()).containsExactly("REPLIED");
        assertThat(replies()).singleElement().satisfies(m -> assertThat(m.messageAttributes().get("replyId").stringValue())
                .as("the same reply, re-sent: never a newly generated one").isEqualTo(committed));
        aws.verify(1, anyRequestedFor(com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching("/model/[^/]+/converse")));
    }

    @Test
    void shouldUseTheKeyFromItsSecret_andClearTheFlag_whenTheOpenAiEndpointFails() {
        ElasticMq.createQueue(queueName);
        String keyArn = "arn:aws:secretsmanager:eu-west-3:123456789012:secret:reply-guard/openai-XyZ123";
        aws.stubFor(SecretsManagerWire.getSecretValue(keyArn).willReturn(
                SecretsManagerWire.secretString(keyArn, "{\"OPENAI_API_KEY\":\"sk-from-secret\"}")));
        aws.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(500)));
        ReplyGuardHandler handler = start(deployedEnv("GENERATOR", "openai",
                "OPENAI_BASE_URL", aws.baseUrl() + "/v1", "OPENAI_MODEL", "gpt-4o-mini",
                "OPENAI_API_KEY_SECRET_ARN", keyArn));

        SQSBatchResponse first = handler.handleRequest(Sqs.event(
                Sqs.record("sqs-o", Sqs.job("match-openai", "msg-o", "tu aimes les chats ?"), 1)), null);

        assertThat(Sqs.failedIds(first)).containsExactly("sqs-o");
        assertThat(flagHeld("match-openai")).isFalse();
        aws.verify(2, anyRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withHeader("Authorization", equalTo("Bearer sk-from-secret")));

        aws.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(okJson(
                "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"J'adore les chats !\"},\"finish_reason\":\"stop\"}]}")));
        log.reset();
        SQSBatchResponse retry = handler.handleRequest(Sqs.event(
                Sqs.record("sqs-o", Sqs.job("match-openai", "msg-o", "tu aimes les chats ?"), 2)), null);

        assertThat(Sqs.failedIds(retry)).isEmpty();
        assertThat(log.outcomes()).containsExactly("REPLIED");
    }

    @Test
    void shouldRefuseToStart_namingTheVariable_whenTheRedisSecretCannotBeRead() {
        aws.resetAll();
        aws.stubFor(SecretsManagerWire.getSecretValue(ARN).willReturn(
                SecretsManagerWire.error(400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")));

        assertThatThrownBy(() -> start(deployedEnv()))
                .isInstanceOf(Secrets.SecretException.class)
                .hasMessageContaining("REDIS_URL_SECRET_ARN").hasMessageContaining("ResourceNotFoundException");
    }

    @Test
    void shouldRefuseToStart_withoutShowingIt_whenTheSecretIsNotARedisUrl() {
        aws.resetAll();
        aws.stubFor(SecretsManagerWire.getSecretValue(ARN).willReturn(
                SecretsManagerWire.secretString(ARN, "https://default:Upst4shPa55@eu1.upstash.io")));

        assertThatThrownBy(() -> start(deployedEnv()))
                .hasMessage("the secret named by REDIS_URL_SECRET_ARN must start with redis:// or rediss://")
                .hasMessageNotContaining("Upst4shPa55");
        aws.verify(0, anyRequestedFor(urlPathMatching("/model/.*")));
    }
}
