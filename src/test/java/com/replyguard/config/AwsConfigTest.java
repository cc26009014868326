package com.replyguard.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The settings of the AWS-facing parts: generators, the sqs sink, secrets, region and time budgets. */
class AwsConfigTest {

    private static final String ARN = "arn:aws:secretsmanager:eu-west-3:123456789012:secret:reply-guard/upstash-AbCdEf";
    private static final String KEY = "sk-live-Qw3rTy";

    private static Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>();
        env.put("REDIS_URL", "redis://cache.example:6379");
        env.put("AWS_REGION", "eu-west-3");
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    @Test
    void shouldReadTheBedrockSettings_withBoundedDefaults_whenTheGeneratorIsBedrock() {
        WorkerConfig config = WorkerConfig.fromEnvironment(env("GENERATOR", "bedrock",
                "BEDROCK_MODEL_ID", "eu.anthropic.claude-3-haiku-20240307-v1:0"));

        assertThat(config.generator().bedrockModelId()).isEqualTo("eu.anthropic.claude-3-haiku-20240307-v1:0");
        assertThat(config.generator().llm().timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.generator().llm().maxAttempts()).isEqualTo(2);
        assertThat(config.generator().llm().temperature()).isNull();
        assertThat(config.aws().region()).isEqualTo("eu-west-3");
        assertThat(config.toString()).contains("generator=bedrock (eu.anthropic.claude-3-haiku-20240307-v1:0");
    }

    @Test
    void shouldReadTheOpenAiSettings_andNeverShowTheKey() {
        WorkerConfig config = WorkerConfig.fromEnvironment(env("GENERATOR", "openai", "OPENAI_MODEL", "gpt-4o-mini",
                "OPENAI_API_KEY", KEY, "GENERATOR_TEMPERATURE", "0.8"));

        assertThat(config.generator().openAi().baseUrl()).isEqualTo(URI.create("https://api.openai.com/v1"));
        assertThat(config.generator().openAi().apiKey()).isEqualTo(KEY);
        assertThat(config.generator().llm().temperature()).isEqualTo(0.8);
        assertThat(config.toString()).doesNotContain(KEY).contains("key from env");
        assertThat(config.generator().openAi().toString()).doesNotContain(KEY);
    }

    @Test
    void shouldTakeTheRedisUrlFromASecret_whenOnlyTheSecretArnIsSet() {
        Map<String, String> env = env("REDIS_URL_SECRET_ARN", ARN);
        env.remove("REDIS_URL");

        WorkerConfig config = WorkerConfig.fromEnvironment(env);

        assertThat(config.redis().url()).isNull();
        assertThat(config.redis().urlSecretArn()).isEqualTo(ARN);
        assertThat(config.toString()).contains("redis=from secret");
        RedisSettings resolved = config.redis().withUrl("rediss://default:Upst4sh@eu1.upstash.io:6379");
        assertThat(resolved.toString()).contains("rediss://eu1.upstash.io:6379").doesNotContain("Upst4sh");
    }

    @Test
    void shouldReadTheQueueSettings_whenTheSinkIsSqs() {
        WorkerConfig config = WorkerConfig.fromEnvironment(env("REPLY_SINK", "sqs",
                "REPLY_QUEUE_URL", "https://sqs.eu-west-3.amazonaws.com/123456789012/reply-guard-replies"));

        assertThat(config.sink().queueUrl().getPath()).isEqualTo("/123456789012/reply-guard-replies");
        assertThat(config.sink().queueTimeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void shouldUseTheSdkEndpointVariables_forLocalServers() {
        AwsSettings aws = WorkerConfig.fromEnvironment(env("AWS_ENDPOINT_URL", "http://127.0.0.1:4566",
                "AWS_ENDPOINT_URL_SQS", "http://127.0.0.1:9324")).aws();

        assertThat(aws.endpoint(AwsSettings.SQS)).isEqualTo(URI.create("http://127.0.0.1:9324"));
        assertThat(aws.endpoint(AwsSettings.BEDROCK_RUNTIME)).isEqualTo(URI.create("http://127.0.0.1:4566"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "GENERATOR=bedrock|BEDROCK_MODEL_ID is required with GENERATOR=bedrock",
            "GENERATOR=bedrock,BEDROCK_MODEL_ID=has space|BEDROCK_MODEL_ID must be a model id",
            "GENERATOR=openai|OPENAI_MODEL is required with GENERATOR=openai",
            "GENERATOR=openai,OPENAI_MODEL=m,OPENAI_BASE_URL=ftp://x|OPENAI_BASE_URL must be an http:// or https:// URL",
            "GENERATOR=openai,OPENAI_MODEL=m,OPENAI_API_KEY=k,OPENAI_API_KEY_SECRET_ARN=" + ARN + "|set OPENAI_API_KEY or OPENAI_API_KEY_SECRET_ARN, not both",
            "GENERATOR=openai,OPENAI_MODEL=m,OPENAI_API_KEY_SECRET_ARN=my-secret|OPENAI_API_KEY_SECRET_ARN must be a Secrets Manager secret ARN",
            "REDIS_URL_SECRET_ARN=" + ARN + "|set REDIS_URL or REDIS_URL_SECRET_ARN, not both",
            "REPLY_SINK=sqs|REPLY_QUEUE_URL is required with REPLY_SINK=sqs",
            "GENERATOR_TIMEOUT_MS=5|GENERATOR_TIMEOUT_MS must be between 100 and",
            "GENERATOR_MAX_ATTEMPTS=9|GENERATOR_MAX_ATTEMPTS must be between 1 and 5",
            "GENERATOR_TEMPERATURE=1.5|GENERATOR_TEMPERATURE must be a number between 0 and 1",
            "AWS_REGION=Paris|AWS_REGION must be a region name such as eu-west-3",
            "AWS_ENDPOINT_URL_SQS=localhost:9324|AWS_ENDPOINT_URL_SQS must be an http:// or https:// URL",
    })
    void shouldFailAtStart_namingTheVariable_whenAnAwsSettingIsWrong(String pairs, String message) {
        Map<String, String> env = env();
        for (String pair : pairs.split(",")) {
            String[] kv = pair.split("=", 2);
            env.put(kv[0], kv[1]);
        }
        assertThatThrownBy(() -> WorkerConfig.fromEnvironment(env))
                .isInstanceOf(ConfigException.class).hasMessageContaining(message);
    }

    @Test
    void shouldRequireTheRegion_whenAnAwsServiceIsConfigured() {
        Map<String, String> env = env("GENERATOR", "bedrock", "BEDROCK_MODEL_ID", "amazon.nova-micro-v1:0");
        env.remove("AWS_REGION");

        assertThatThrownBy(() -> WorkerConfig.fromEnvironment(env))
                .hasMessage("AWS_REGION is required with GENERATOR=bedrock (Lambda sets it; set it for local runs)");
    }

    @Test
    void shouldRefuseADeliveryTimeout_thatLeavesNoTimeToDeliverWithinTheFunction() {
        assertThatThrownBy(() -> WorkerConfig.fromEnvironment(env("FUNCTION_TIMEOUT_SECONDS", "5", "REPLY_SINK", "webhook",
                "REPLY_WEBHOOK_URL", "https://example.invalid/r", "REPLY_WEBHOOK_TIMEOUT_MS", "4600")))
                .hasMessageStartingWith("REPLY_WEBHOOK_TIMEOUT_MS (4600 ms) plus 500 ms must be below the function timeout");
        assertThatThrownBy(() -> WorkerConfig.fromEnvironment(env("FUNCTION_TIMEOUT_SECONDS", "2")))
                .hasMessageStartingWith("REDIS_TIMEOUT_MS + REDIS_RETRY_TIMEOUT_MS (2300 ms) must be below the function timeout");
        assertThat(WorkerConfig.fromEnvironment(env("FUNCTION_TIMEOUT_SECONDS", "5", "REPLY_SINK", "webhook",
                "REPLY_WEBHOOK_URL", "https://example.invalid/r", "REPLY_WEBHOOK_TIMEOUT_MS", "400")).sink().worstDelivery())
                .isEqualTo(Duration.ofMillis(400));
    }

    @Test
    void shouldTakeAnyGuardTtl_sinceTheFlagsLeaseFollowsTheInvocation() {
        // the flag lives for the invocation's remaining time plus a margin; GUARD_TTL_SECONDS is the
        // similarity window only, whether shorter than the function timeout or longer than the visibility
        assertThat(WorkerConfig.fromEnvironment(env("FUNCTION_TIMEOUT_SECONDS", "60", "GUARD_TTL_SECONDS", "30"))
                .guard().ttl()).isEqualTo(Duration.ofSeconds(30));
        assertThat(WorkerConfig.fromEnvironment(env("FUNCTION_TIMEOUT_SECONDS", "30", "JOBS_VISIBILITY_TIMEOUT_SECONDS", "180",
                "GUARD_TTL_SECONDS", "600")).guard().ttl()).isEqualTo(Duration.ofSeconds(600));
    }

    @Test
    void shouldRefuseAVisibilityTimeout_belowSixTimesTheFunctionTimeout() {
        assertThatThrownBy(() -> WorkerConfig.fromEnvironment(env("FUNCTION_TIMEOUT_SECONDS", "30",
                "JOBS_VISIBILITY_TIMEOUT_SECONDS", "179")))
                .hasMessageStartingWith("JOBS_VISIBILITY_TIMEOUT_SECONDS (179) must be at least 6 x FUNCTION_TIMEOUT_SECONDS (30)");
        assertThat(WorkerConfig.fromEnvironment(env("FUNCTION_TIMEOUT_SECONDS", "30", "JOBS_VISIBILITY_TIMEOUT_SECONDS", "180"))
                .aws().jobsVisibilityTimeout()).isEqualTo(Duration.ofSeconds(180));
    }

    @Test
    void shouldRefuseAGenerationBudget_thatOutlastsTheFunction() {
        assertThatThrownBy(() -> WorkerConfig.fromEnvironment(env("FUNCTION_TIMEOUT_SECONDS", "30",
                "GENERATOR", "bedrock", "BEDROCK_MODEL_ID", "amazon.nova-micro-v1:0",
                "GENERATOR_TIMEOUT_MS", "15000", "GENERATOR_MAX_ATTEMPTS", "2")))
                .hasMessage("GENERATOR_TIMEOUT_MS x GENERATOR_MAX_ATTEMPTS (30000 ms) must be below the function timeout"
                        + " FUNCTION_TIMEOUT_SECONDS (30 s)");
    }
}
