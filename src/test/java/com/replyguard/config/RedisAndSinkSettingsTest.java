package com.replyguard.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The settings added for faults, TLS and webhook signing: defaults, checks, and no secret in any message. */
class RedisAndSinkSettingsTest {

    private static final String PASSWORD = "r3dis-Pa55";
    private static final String WEBHOOK_SECRET = "0123456789abcdef0123456789abcdef-webhook";

    private static Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>();
        env.put("REDIS_URL", "rediss://default:" + PASSWORD + "@cache.example:6379");
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    @Test
    void shouldDefaultToShortTimeouts_andABreakerThatOpensOnTheFirstFailure() {
        RedisSettings redis = WorkerConfig.fromEnvironment(env()).redis();
        assertThat(redis.timeout()).isEqualTo(Duration.ofMillis(300));
        assertThat(redis.connectTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(redis.breakerFailures()).isEqualTo(1);
        assertThat(redis.breakerCooldown()).isEqualTo(Duration.ofSeconds(2));
        assertThat(redis.tlsCaFile()).isNull();
    }

    @Test
    void shouldReadTheBreakerAndTlsSettings(@TempDir Path dir) throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
        RedisSettings redis = WorkerConfig.fromEnvironment(env("REDIS_BREAKER_FAILURES", "5", "REDIS_BREAKER_COOLDOWN_MS", "750",
                "REDIS_TLS_CA_FILE", ca.toString())).redis();
        assertThat(redis.breakerFailures()).isEqualTo(5);
        assertThat(redis.breakerCooldown()).isEqualTo(Duration.ofMillis(750));
        assertThat(redis.tlsCaFile()).isEqualTo(ca);
        assertThat(redis.toString()).contains("breaker=5 failures/750ms").doesNotContain(PASSWORD);
    }

    @Test
    void shouldRefuseWrongBreakerAndTlsSettings_namingTheVariable() {
        assertThatThrownBy(() -> WorkerConfig.fromEnvironment(env("REDIS_BREAKER_FAILURES", "0")))
                .hasMessageContaining("REDIS_BREAKER_FAILURES must be between 1 and");
        assertThatThrownBy(() -> WorkerConfig.fromEnvironment(env("REDIS_BREAKER_COOLDOWN_MS", "soon")))
                .hasMessageContaining("REDIS_BREAKER_COOLDOWN_MS must be a whole number of milliseconds");
        assertThatThrownBy(() -> WorkerConfig.fromEnvironment(env("REDIS_TLS_CA_FILE", "/nonexistent/ca.pem")))
                .hasMessageContaining("REDIS_TLS_CA_FILE: no readable file");
        assertThatThrownBy(() -> WorkerConfig.fromEnvironment(env("REDIS_URL", "redis://default:" + PASSWORD + "@h:6379",
                "REDIS_TLS_CA_FILE", "/etc/hostname")))
                .hasMessageContaining("REDIS_URL is not a rediss:// URL").hasMessageNotContaining(PASSWORD);
    }

    @Test
    void shouldSignWebhooks_withASecretLongEnough_andNeverShowIt() {
        WorkerConfig config = WorkerConfig.fromEnvironment(env("REPLY_SINK", "webhook",
                "REPLY_WEBHOOK_URL", "https://hooks.example/replies?token=abc", "REPLY_WEBHOOK_SECRET", WEBHOOK_SECRET));
        assertThat(config.sink().webhookSecret()).isEqualTo(WEBHOOK_SECRET);
        assertThat(config.toString()).contains("signed").doesNotContain(WEBHOOK_SECRET).doesNotContain("token=abc");
        assertThatThrownBy(() -> WorkerConfig.fromEnvironment(env("REPLY_SINK", "webhook",
                "REPLY_WEBHOOK_URL", "https://hooks.example/replies", "REPLY_WEBHOOK_SECRET", "short-secret")))
                .hasMessageContaining("REPLY_WEBHOOK_SECRET must be at least 32 characters").hasMessageNotContaining("short-secret");
        assertThat(WorkerConfig.fromEnvironment(env("REPLY_SINK", "webhook", "REPLY_WEBHOOK_URL", "https://hooks.example/r"))
                .sink().webhookSecret()).isNull();
    }
}
