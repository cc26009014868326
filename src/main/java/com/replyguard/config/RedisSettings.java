package com.replyguard.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;

/**
 * Where the guard's Redis is and how long to wait for it.
 *
 * @param url            {@code redis://} or {@code rediss://} URL, possibly with credentials; never logged
 * @param timeout        per-command timeout ({@code REDIS_TIMEOUT_MS})
 * @param connectTimeout TCP connect and handshake timeout ({@code REDIS_CONNECT_TIMEOUT_MS})
 */
public record RedisSettings(String url, boolean cluster, Duration timeout, Duration connectTimeout) {

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
                env.millis("REDIS_CONNECT_TIMEOUT_MS", 1_000, 50, 60_000));
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
        return "redis=" + endpoint() + ", cluster=" + cluster + ", timeout=" + timeout.toMillis() + "ms";
    }
}
