package com.replyguard.config;

import java.util.Map;

/**
 * Every setting of the worker, one record per concern, read once from the environment (as Lambda
 * sets it) and validated: a wrong value fails at start with the variable's name, not on the first
 * message. {@code toString} never shows a secret.
 *
 * @param maxMessageChars the longest accepted {@code userMessage} ({@code MAX_MESSAGE_CHARS})
 */
public record WorkerConfig(RedisSettings redis, GuardSettings guard, GeneratorSettings generator, SinkSettings sink,
                           int maxMessageChars, ObservabilitySettings observability) {

    public static WorkerConfig fromEnvironment(Map<String, String> variables) {
        Environment env = new Environment(variables);
        GuardSettings guard = GuardSettings.from(env);
        return new WorkerConfig(
                RedisSettings.from(env, guard.enabled()),
                guard,
                GeneratorSettings.from(env),
                SinkSettings.from(env),
                (int) env.number("MAX_MESSAGE_CHARS", 4_000, 1, 100_000, "characters"),
                ObservabilitySettings.from(env));
    }

    @Override
    public String toString() {
        return "WorkerConfig[" + redis + ", " + guard + ", " + generator + ", " + sink + ", " + observability + "]";
    }
}
