package com.replyguard.config;

import java.util.Map;

/**
 * Every setting of the worker, one record per concern, read once from the environment (as Lambda
 * sets it) and validated: a wrong value fails at start with the variable's name, not on the first
 * message. {@code toString} never shows a secret.
 *
 * @param maxMessageChars the longest accepted {@code userMessage} ({@code MAX_MESSAGE_CHARS})
 * @param aws             region, endpoint overrides and the function timeout
 */
public record WorkerConfig(RedisSettings redis, GuardSettings guard, GeneratorSettings generator, SinkSettings sink,
                           int maxMessageChars, AwsSettings aws, ObservabilitySettings observability) {

    public static WorkerConfig fromEnvironment(Map<String, String> variables) {
        Environment env = new Environment(variables);
        GuardSettings guard = GuardSettings.from(env);
        WorkerConfig config = new WorkerConfig(
                RedisSettings.from(env, guard.enabled()),
                guard,
                GeneratorSettings.from(env),
                SinkSettings.from(env),
                (int) env.number("MAX_MESSAGE_CHARS", 4_000, 1, 100_000, "characters"),
                AwsSettings.from(env),
                ObservabilitySettings.from(env));
        config.checkAwsNeeds();
        config.checkTimeBudget();
        return config;
    }

    /** The same configuration with secrets read at start (Redis URL, OpenAI key) filled in. */
    public WorkerConfig withResolved(RedisSettings resolvedRedis, GeneratorSettings resolvedGenerator) {
        return new WorkerConfig(resolvedRedis, guard, resolvedGenerator, sink, maxMessageChars, aws, observability);
    }

    /** Fails at start, not on the first message, when an AWS service is configured without a region. */
    private void checkAwsNeeds() {
        if (generator.kind() == GeneratorSettings.Kind.BEDROCK) {
            aws.requireRegion("GENERATOR=bedrock");
        }
        if (sink.kind() == SinkSettings.Kind.SQS) {
            aws.requireRegion("REPLY_SINK=sqs");
        }
        if (guard.enabled() && redis.url() == null && redis.urlSecretArn() != null) {
            aws.requireRegion("REDIS_URL_SECRET_ARN");
        }
        if (generator.openAi() != null && generator.openAi().apiKeySecretArn() != null) {
            aws.requireRegion("OPENAI_API_KEY_SECRET_ARN");
        }
    }

    /**
     * With {@code FUNCTION_TIMEOUT_SECONDS} known (the template sets it): a job must not come back to
     * a second worker while the first still works on it, and a generation with all its retries must
     * end before Lambda kills the function. (The in-progress flag's lease follows the invocation's
     * remaining time, not {@code GUARD_TTL_SECONDS}, so the two need no ordering.)
     */
    private void checkTimeBudget() {
        if (aws.functionTimeout() == null) {
            return;
        }
        long timeout = aws.functionTimeout().toSeconds();
        if (aws.jobsVisibilityTimeout() != null && aws.jobsVisibilityTimeout().toSeconds() < 6 * timeout) {
            throw new ConfigException("JOBS_VISIBILITY_TIMEOUT_SECONDS (" + aws.jobsVisibilityTimeout().toSeconds()
                    + ") must be at least 6 x FUNCTION_TIMEOUT_SECONDS (" + timeout + "): a job must not come back"
                    + " to a second worker while the first still works on it");
        }
        if (guard.enabled() && redis.timeout().plus(redis.retryTimeout()).compareTo(aws.functionTimeout()) >= 0) {
            throw new ConfigException("REDIS_TIMEOUT_MS + REDIS_RETRY_TIMEOUT_MS (" + redis.timeout().plus(redis.retryTimeout()).toMillis()
                    + " ms) must be below the function timeout FUNCTION_TIMEOUT_SECONDS (" + timeout + " s)");
        }
        if (sink.worstDelivery().plusMillis(500).compareTo(aws.functionTimeout()) >= 0) {
            throw new ConfigException((sink.kind() == SinkSettings.Kind.SQS ? "REPLY_QUEUE_TIMEOUT_MS x 3 attempts ("
                    : "REPLY_WEBHOOK_TIMEOUT_MS (") + sink.worstDelivery().toMillis() + " ms) plus 500 ms must be below the"
                    + " function timeout FUNCTION_TIMEOUT_SECONDS (" + timeout + " s): a committed reply must have time to be delivered");
        }
        if (generator.kind() != GeneratorSettings.Kind.SCRIPTED
                && generator.llm().budget().compareTo(aws.functionTimeout()) >= 0) {
            throw new ConfigException("GENERATOR_TIMEOUT_MS x GENERATOR_MAX_ATTEMPTS (" + generator.llm().budget().toMillis()
                    + " ms) must be below the function timeout FUNCTION_TIMEOUT_SECONDS (" + timeout + " s)");
        }
    }

    @Override
    public String toString() {
        return "WorkerConfig[" + redis + ", " + guard + ", " + generator + ", " + sink + ", " + aws + ", "
                + observability + "]";
    }
}
