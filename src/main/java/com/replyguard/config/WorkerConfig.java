package com.replyguard.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Every setting of the worker, read once from the environment (as Lambda sets it) and validated:
 * a wrong value fails at start with the variable's name, not on the first message.
 * Empty values count as unset (SAM passes empty parameters as {@code ""}).
 */
public record WorkerConfig(
        String redisUrl,
        boolean redisCluster,
        Duration redisTimeout,
        Duration redisConnectTimeout,
        boolean guardEnabled,
        Duration guardTtl,
        Duration answeredTtl,
        double questionSimilarity,
        double replySimilarity,
        boolean coalesce,
        GeneratorKind generator,
        Duration generatorDelay,
        Path scriptedReplies,
        SinkKind sink,
        URI webhookUrl,
        Duration webhookTimeout,
        int maxMessageChars) {

    public enum GeneratorKind { SCRIPTED, BEDROCK, OPENAI }

    public enum SinkKind { STDOUT, WEBHOOK, SQS }

    public static WorkerConfig fromEnvironment(Map<String, String> env) {
        Settings s = new Settings(env);
        boolean guardEnabled = s.bool("GUARD_ENABLED", true);
        String redisUrl = s.text("REDIS_URL");
        if (redisUrl != null) {
            checkRedisUrl(redisUrl);
        } else if (guardEnabled) {
            if (s.text("REDIS_URL_SECRET_ARN") != null) {
                throw new ConfigException("REDIS_URL_SECRET_ARN is not supported by this version yet: set REDIS_URL");
            }
            throw new ConfigException("REDIS_URL is required when GUARD_ENABLED is true (redis://host:6379 or rediss://...)");
        }
        GeneratorKind generator = s.choice("GENERATOR", GeneratorKind.class, GeneratorKind.SCRIPTED);
        if (generator != GeneratorKind.SCRIPTED) {
            throw new ConfigException("GENERATOR=" + generator.name().toLowerCase(Locale.ROOT)
                    + " is not available in this version yet: use scripted");
        }
        SinkKind sink = s.choice("REPLY_SINK", SinkKind.class, SinkKind.STDOUT);
        URI webhookUrl = null;
        if (sink == SinkKind.SQS) {
            throw new ConfigException("REPLY_SINK=sqs is not available in this version yet: use stdout or webhook");
        }
        if (sink == SinkKind.WEBHOOK) {
            webhookUrl = s.httpUrl("REPLY_WEBHOOK_URL");
        }
        Path scripted = null;
        String scriptedPath = s.text("SCRIPTED_REPLIES");
        if (scriptedPath != null) {
            scripted = Path.of(scriptedPath);
            if (!Files.isReadable(scripted)) {
                throw new ConfigException("SCRIPTED_REPLIES: no readable file at " + scriptedPath);
            }
        }
        Duration guardTtl = s.seconds("GUARD_TTL_SECONDS", 60, 1, 86_400);
        Duration answeredTtl = s.seconds("ANSWERED_TTL_SECONDS", 3600, 1, 7 * 86_400);
        if (answeredTtl.compareTo(guardTtl) < 0) {
            throw new ConfigException("ANSWERED_TTL_SECONDS must be at least GUARD_TTL_SECONDS");
        }
        return new WorkerConfig(
                redisUrl,
                s.bool("REDIS_CLUSTER", false),
                s.millis("REDIS_TIMEOUT_MS", 300, 10, 60_000),
                s.millis("REDIS_CONNECT_TIMEOUT_MS", 1_000, 50, 60_000),
                guardEnabled,
                guardTtl,
                answeredTtl,
                s.fraction("QUESTION_SIMILARITY", 0.70),
                s.fraction("REPLY_SIMILARITY", 0.80),
                s.bool("COALESCE", true),
                generator,
                s.millis("GENERATOR_DELAY_MS", 0, 0, 900_000),
                scripted,
                sink,
                webhookUrl,
                s.millis("REPLY_WEBHOOK_TIMEOUT_MS", 5_000, 100, 120_000),
                s.integer("MAX_MESSAGE_CHARS", 4_000, 1, 100_000));
    }

    private static void checkRedisUrl(String url) {
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

    /** The Redis endpoint without its credentials, for logs. */
    public String redisEndpoint() {
        if (redisUrl == null) {
            return "none";
        }
        URI uri = URI.create(redisUrl);
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
    }

    @Override
    public String toString() {
        return "WorkerConfig[redis=" + redisEndpoint() + ", cluster=" + redisCluster + ", guardEnabled=" + guardEnabled
                + ", guardTtl=" + guardTtl + ", answeredTtl=" + answeredTtl + ", questionSimilarity=" + questionSimilarity
                + ", replySimilarity=" + replySimilarity + ", coalesce=" + coalesce + ", generator=" + generator
                + ", sink=" + sink + "]";
    }

    /** Typed reads of the environment, each failing with the variable's name. */
    private record Settings(Map<String, String> env) {

        String text(String name) {
            String value = env.get(name);
            return value == null || value.isBlank() ? null : value.strip();
        }

        boolean bool(String name, boolean fallback) {
            String value = text(name);
            if (value == null) {
                return fallback;
            }
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "true", "1", "yes" -> true;
                case "false", "0", "no" -> false;
                default -> throw new ConfigException(name + " must be true or false, got '" + value + "'");
            };
        }

        long number(String name, long fallback, long min, long max, String unit) {
            String value = text(name);
            if (value == null) {
                return fallback;
            }
            long parsed;
            try {
                parsed = Long.parseLong(value);
            } catch (NumberFormatException e) {
                throw new ConfigException(name + " must be a whole number of " + unit + ", got '" + value + "'");
            }
            if (parsed < min || parsed > max) {
                throw new ConfigException(name + " must be between " + min + " and " + max + " " + unit + ", got " + parsed);
            }
            return parsed;
        }

        Duration seconds(String name, long fallback, long min, long max) {
            return Duration.ofSeconds(number(name, fallback, min, max, "seconds"));
        }

        Duration millis(String name, long fallback, long min, long max) {
            return Duration.ofMillis(number(name, fallback, min, max, "milliseconds"));
        }

        int integer(String name, int fallback, int min, int max) {
            return (int) number(name, fallback, min, max, "characters");
        }

        double fraction(String name, double fallback) {
            String value = text(name);
            if (value == null) {
                return fallback;
            }
            double parsed;
            try {
                parsed = Double.parseDouble(value);
            } catch (NumberFormatException e) {
                throw new ConfigException(name + " must be a number between 0 and 1, got '" + value + "'");
            }
            if (!(parsed >= 0 && parsed <= 1)) {
                throw new ConfigException(name + " must be a number between 0 and 1, got '" + value + "'");
            }
            return parsed;
        }

        <E extends Enum<E>> E choice(String name, Class<E> type, E fallback) {
            String value = text(name);
            if (value == null) {
                return fallback;
            }
            for (E option : type.getEnumConstants()) {
                if (option.name().equalsIgnoreCase(value)) {
                    return option;
                }
            }
            StringBuilder options = new StringBuilder();
            for (E option : type.getEnumConstants()) {
                options.append(options.isEmpty() ? "" : ", ").append(option.name().toLowerCase(Locale.ROOT));
            }
            throw new ConfigException(name + " must be one of " + options + ", got '" + value + "'");
        }

        URI httpUrl(String name) {
            String value = text(name);
            if (value == null) {
                throw new ConfigException(name + " is required with REPLY_SINK=webhook");
            }
            try {
                URI uri = new URI(value);
                if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                    throw new ConfigException(name + " must be an http:// or https:// URL");
                }
                return uri;
            } catch (URISyntaxException e) {
                throw new ConfigException(name + " is not a valid URL");
            }
        }
    }
}
