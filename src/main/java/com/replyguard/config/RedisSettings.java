package com.replyguard.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * Where the guard's Redis is and how long to wait for it.
 *
 * @param url            {@code redis://} or {@code rediss://} URL, possibly with credentials; never logged
 * @param timeout        per-command timeout ({@code REDIS_TIMEOUT_MS})
 * @param connectTimeout TCP connect and handshake timeout ({@code REDIS_CONNECT_TIMEOUT_MS})
 * @param urlSecretArn   {@code REDIS_URL_SECRET_ARN}: the Secrets Manager secret holding the URL (Upstash),
 *                       read once at start; then {@code url} is {@code null} until {@link #withUrl} resolves it
 * @param breakerFailures consecutive Redis failures that open the breaker ({@code REDIS_BREAKER_FAILURES})
 * @param breakerCooldown how long the open breaker bypasses Redis before one probe ({@code REDIS_BREAKER_COOLDOWN_MS})
 * @param tlsCaFile      PEM file of the CAs to trust for {@code rediss://} ({@code REDIS_TLS_CA_FILE}); null: the JDK's
 * @param retryTimeout   how long the one retry of a command whose result is unknown waits
 *                       ({@code REDIS_RETRY_TIMEOUT_MS}): longer than a command, so that a short stall
 *                       of Redis ends in an answer rather than a fail-open
 */
public record RedisSettings(String url, boolean cluster, Duration timeout, Duration connectTimeout, String urlSecretArn,
                            int breakerFailures, Duration breakerCooldown, Path tlsCaFile, Duration retryTimeout) {

    static RedisSettings from(Environment env, boolean required) {
        String url = env.text("REDIS_URL");
        String secretArn = env.text("REDIS_URL_SECRET_ARN");
        if (url != null && secretArn != null) {
            throw new ConfigException("set REDIS_URL or REDIS_URL_SECRET_ARN, not both");
        }
        if (url != null) {
            check(url, "REDIS_URL");
        } else if (secretArn != null) {
            SecretArn.check("REDIS_URL_SECRET_ARN", secretArn);
        } else if (required) {
            throw new ConfigException("REDIS_URL is required when GUARD_ENABLED is true (redis://host:6379 or rediss://...),"
                    + " or REDIS_URL_SECRET_ARN naming a Secrets Manager secret that holds it");
        }
        return new RedisSettings(url,
                env.bool("REDIS_CLUSTER", false),
                env.millis("REDIS_TIMEOUT_MS", 300, 10, 60_000),
                env.millis("REDIS_CONNECT_TIMEOUT_MS", 1_000, 50, 60_000),
                secretArn,
                // one failure opens it: an outage costs a container one timeout, not one per message
                (int) env.number("REDIS_BREAKER_FAILURES", 1, 1, 1_000, "failures"),
                env.millis("REDIS_BREAKER_COOLDOWN_MS", 2_000, 10, 600_000),
                tlsCaFile(env, url),
                env.millis("REDIS_RETRY_TIMEOUT_MS", 2_000, 10, 60_000));
    }

    private static Path tlsCaFile(Environment env, String url) {
        String value = env.text("REDIS_TLS_CA_FILE");
        if (value == null) {
            return null;
        }
        // a URL read from a secret is checked when it is read; here only a plain REDIS_URL can be
        if (url != null && !url.regionMatches(true, 0, "rediss://", 0, 9)) {
            throw new ConfigException("REDIS_TLS_CA_FILE is set but REDIS_URL is not a rediss:// URL");
        }
        Path file = Path.of(value);
        if (!Files.isReadable(file)) {
            throw new ConfigException("REDIS_TLS_CA_FILE: no readable file at " + value);
        }
        return file;
    }

    /** These settings with the URL read from {@code REDIS_URL_SECRET_ARN}, checked like {@code REDIS_URL}. */
    public RedisSettings withUrl(String secretUrl) {
        check(secretUrl, "the secret named by REDIS_URL_SECRET_ARN");
        return new RedisSettings(secretUrl, cluster, timeout, connectTimeout, urlSecretArn, breakerFailures,
                breakerCooldown, tlsCaFile, retryTimeout);
    }

    /** @param source how to name the value in errors: never the value itself (it may hold a password) */
    private static void check(String url, String source) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new ConfigException(source + " is not a valid URL (expected redis://[user:password@]host:port)");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("redis") && !scheme.equals("rediss")) {
            throw new ConfigException(source + " must start with redis:// or rediss://");
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            throw new ConfigException(source + " has no host (expected redis://[user:password@]host:port)");
        }
    }

    /** The endpoint without credentials, for logs. */
    public String endpoint() {
        if (url == null) {
            return urlSecretArn != null ? "from secret" : "none";
        }
        URI uri = URI.create(url);
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
    }

    @Override
    public String toString() {
        return "redis=" + endpoint() + ", cluster=" + cluster + ", timeout=" + timeout.toMillis() + "ms"
                + ", connectTimeout=" + connectTimeout.toMillis() + "ms, breaker=" + breakerFailures + " failures/"
                + breakerCooldown.toMillis() + "ms, retryTimeout=" + retryTimeout.toMillis() + "ms"
                + (tlsCaFile == null ? "" : ", tlsCaFile=" + tlsCaFile);
    }
}
