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
 * @param breakerFailures consecutive Redis failures that open the breaker ({@code REDIS_BREAKER_FAILURES})
 * @param breakerCooldown how long the open breaker bypasses Redis before one probe ({@code REDIS_BREAKER_COOLDOWN_MS})
 * @param tlsCaFile      PEM file of the CAs to trust for {@code rediss://} ({@code REDIS_TLS_CA_FILE}); null: the JDK's
 */
public record RedisSettings(String url, boolean cluster, Duration timeout, Duration connectTimeout,
                            int breakerFailures, Duration breakerCooldown, Path tlsCaFile) {

    static RedisSettings from(Environment env, boolean required) {
        String url = env.text("REDIS_URL");
        if (url != null) {
            check(url);
        } else if (required) {
            if (env.text("REDIS_URL_SECRET_ARN") != null) {
                throw new ConfigException("REDIS_URL_SECRET_ARN is not supported by this version yet: set REDIS_URL");
            }
            throw new ConfigException("REDIS_URL is required when GUARD_ENABLED is true (redis://host:6379 or rediss://...)");
        }
        return new RedisSettings(url,
                env.bool("REDIS_CLUSTER", false),
                env.millis("REDIS_TIMEOUT_MS", 300, 10, 60_000),
                env.millis("REDIS_CONNECT_TIMEOUT_MS", 1_000, 50, 60_000),
                (int) env.number("REDIS_BREAKER_FAILURES", 3, 1, 1_000, "failures"),
                env.millis("REDIS_BREAKER_COOLDOWN_MS", 2_000, 10, 600_000),
                tlsCaFile(env, url));
    }

    private static Path tlsCaFile(Environment env, String url) {
        String value = env.text("REDIS_TLS_CA_FILE");
        if (value == null) {
            return null;
        }
        if (url == null || !url.regionMatches(true, 0, "rediss://", 0, 9)) {
            throw new ConfigException("REDIS_TLS_CA_FILE is set but REDIS_URL is not a rediss:// URL");
        }
        Path file = Path.of(value);
        if (!Files.isReadable(file)) {
            throw new ConfigException("REDIS_TLS_CA_FILE: no readable file at " + value);
        }
        return file;
    }

    private static void check(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new ConfigException("REDIS_URL is not a valid URL (expected redis://[user:password@]host:port)");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("redis") && !scheme.equals("rediss")) {
            throw new ConfigException("REDIS_URL must start with redis:// or rediss://");
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            throw new ConfigException("REDIS_URL has no host (expected redis://[user:password@]host:port)");
        }
    }

    /** The endpoint without credentials, for logs. */
    public String endpoint() {
        if (url == null) {
            return "none";
        }
        URI uri = URI.create(url);
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
    }

    @Override
    public String toString() {
        return "redis=" + endpoint() + ", cluster=" + cluster + ", timeout=" + timeout.toMillis() + "ms"
                + ", connectTimeout=" + connectTimeout.toMillis() + "ms, breaker=" + breakerFailures + " failures/"
                + breakerCooldown.toMillis() + "ms" + (tlsCaFile == null ? "" : ", tlsCaFile=" + tlsCaFile);
    }
}
