package com.replyguard.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WorkerConfigTest {

    private static final String SECRET = "s3cr3t-Pa55";

    private static Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>();
        env.put("REDIS_URL", "redis://default:" + SECRET + "@cache.example:6379");
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    @Test
    void shouldApplyTheSpecDefaults_whenOnlyRedisUrlIsSet() {
        WorkerConfig config = WorkerConfig.fromEnvironment(env());
        assertThat(config.guard().enabled()).isTrue();
        assertThat(config.guard().ttl()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.guard().answeredTtl()).isEqualTo(Duration.ofSeconds(3600));
        assertThat(config.guard().questionSimilarity()).isEqualTo(0.70);
        assertThat(config.guard().replySimilarity()).isEqualTo(0.80);
        assertThat(config.guard().coalesce()).isTrue();
        assertThat(config.generator().kind()).isEqualTo(GeneratorSettings.Kind.SCRIPTED);
        assertThat(config.sink().kind()).isEqualTo(SinkSettings.Kind.STDOUT);
        assertThat(config.redis().timeout()).isLessThanOrEqualTo(Duration.ofMillis(500));
    }

    @Test
    void shouldTakeLambdasLogLevel_unlessLogLevelIsSet() {
        assertThat(WorkerConfig.fromEnvironment(env("AWS_LAMBDA_LOG_LEVEL", "DEBUG")).observability().logLevel())
                .isEqualTo(ObservabilitySettings.LogLevel.DEBUG);
        assertThat(WorkerConfig.fromEnvironment(env("AWS_LAMBDA_LOG_LEVEL", "TRACE", "LOG_LEVEL", "warn")).observability().logLevel())
                .isEqualTo(ObservabilitySettings.LogLevel.WARN);
        assertThat(WorkerConfig.fromEnvironment(env("AWS_LAMBDA_LOG_LEVEL", "FATAL")).observability().logLevel())
                .isEqualTo(ObservabilitySettings.LogLevel.ERROR);
    }

    @Test
    void shouldTreatEmptyValuesAsUnset_asSamPassesThem() {
        WorkerConfig config = WorkerConfig.fromEnvironment(env("REPLY_WEBHOOK_URL", "", "COALESCE", " ", "REDIS_CLUSTER", ""));
        assertThat(config.guard().coalesce()).isTrue();
        assertThat(config.redis().cluster()).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "QUESTION_SIMILARITY|1.5|QUESTION_SIMILARITY must be a number between 0 and 1",
            "REPLY_SIMILARITY|abc|REPLY_SIMILARITY must be a number between 0 and 1",
            "GUARD_TTL_SECONDS|0|GUARD_TTL_SECONDS must be between 1 and",
            "REDIS_TIMEOUT_MS|fast|REDIS_TIMEOUT_MS must be a whole number of milliseconds",
            "COALESCE|maybe|COALESCE must be true or false",
            "GENERATOR|gpt|GENERATOR must be one of scripted, bedrock, openai",
            "REPLY_SINK|email|REPLY_SINK must be one of stdout, webhook, sqs",
            "ANSWERED_TTL_SECONDS|30|ANSWERED_TTL_SECONDS must be at least GUARD_TTL_SECONDS",
            "SCRIPTED_REPLIES|/nonexistent/rules.json|SCRIPTED_REPLIES: no readable file",
            "LOG_LEVEL|LOUD|LOG_LEVEL must be one of debug, info, warn, error",
            "COALESCE_MAX_ROUNDS|0|COALESCE_MAX_ROUNDS must be between 1 and 10",
    })
    void shouldFailAtStart_namingTheVariable_whenAValueIsWrong(String name, String value, String message) {
        assertThatThrownBy(() -> WorkerConfig.fromEnvironment(env(name, value)))
                .isInstanceOf(ConfigException.class).hasMessageContaining(message);
    }

    @Test
    void shouldRequireAWebhookUrl_forTheWebhookSink() {
        assertThatThrownBy(() -> WorkerConfig.fromEnvironment(env("REPLY_SINK", "webhook")))
                .hasMessageContaining("REPLY_WEBHOOK_URL is required");
        assertThatThrownBy(() -> WorkerConfig.fromEnvironment(env("REPLY_SINK", "webhook", "REPLY_WEBHOOK_URL", "ftp://x")))
                .hasMessageContaining("REPLY_WEBHOOK_URL must be an http:// or https:// URL");
    }

    @Test
    void shouldRequireRedis_unlessTheGuardIsDisabled() {
        assertThatThrownBy(() -> WorkerConfig.fromEnvironment(Map.of()))
                .hasMessageContaining("REDIS_URL is required when GUARD_ENABLED is true");
        assertThat(WorkerConfig.fromEnvironment(Map.of("GUARD_ENABLED", "false")).guard().enabled()).isFalse();
    }

    @Test
    void shouldNeverShowTheRedisPassword_inMessagesOrToString() {
        assertThat(WorkerConfig.fromEnvironment(env()).toString())
                .doesNotContain(SECRET).contains("redis://cache.example:6379");
        assertThatThrownBy(() -> WorkerConfig.fromEnvironment(Map.of("REDIS_URL", "http://u:" + SECRET + "@h:1")))
                .hasMessageContaining("REDIS_URL must start with redis:// or rediss://")
                .hasMessageNotContaining(SECRET);
        assertThatThrownBy(() -> WorkerConfig.fromEnvironment(Map.of("REDIS_URL", "redis://u:" + SECRET + "@h:1 bad")))
                .hasMessageNotContaining(SECRET);
    }
}
