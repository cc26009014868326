package com.replyguard.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Typed reads of environment variables, each failing with the variable's name. Empty values count
 * as unset (SAM passes empty parameters as {@code ""}). Error messages quote a value only where it
 * cannot be a secret.
 */
final class Environment {

    private final Map<String, String> env;

    Environment(Map<String, String> env) {
        this.env = env;
    }

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

    double fraction(String name, double fallback) {
        String value = text(name);
        if (value == null) {
            return fallback;
        }
        double parsed;
        try {
            parsed = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            parsed = Double.NaN;
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
        StringBuilder options = new StringBuilder();
        for (E option : type.getEnumConstants()) {
            if (option.name().equalsIgnoreCase(value)) {
                return option;
            }
            options.append(options.isEmpty() ? "" : ", ").append(option.name().toLowerCase(Locale.ROOT));
        }
        throw new ConfigException(name + " must be one of " + options + ", got '" + value + "'");
    }

    /** A required http(s) URL; the value is not echoed (it may carry a token). */
    URI httpUrl(String name, String requiredBecause) {
        String value = text(name);
        if (value == null) {
            throw new ConfigException(name + " is required " + requiredBecause);
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
