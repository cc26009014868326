package com.replyguard.config;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * Which generator writes the replies, and how long it may take.
 *
 * @param delay           the scripted generator's simulated latency
 * @param scriptedReplies the scripted generator's rules file, or {@code null} for the built-in persona
 * @param llm             limits shared by the LLM generators (bedrock, openai)
 * @param bedrockModelId  {@code BEDROCK_MODEL_ID}: a foundation model id or an inference profile id/ARN
 *                        (for {@code GENERATOR=bedrock}, else {@code null})
 * @param openAi          the OpenAI-compatible endpoint (for {@code GENERATOR=openai}, else {@code null})
 */
public record GeneratorSettings(Kind kind, Duration delay, Path scriptedReplies, Llm llm, String bedrockModelId,
                                OpenAi openAi) {

    public enum Kind { SCRIPTED, BEDROCK, OPENAI }

    /**
     * @param timeout      one attempt's time limit ({@code GENERATOR_TIMEOUT_MS})
     * @param maxAttempts  attempts per generation, retries included ({@code GENERATOR_MAX_ATTEMPTS}); throttling
     *                     and 5xx answers are retried, other errors are not
     * @param maxTokens    the reply's length limit in tokens ({@code GENERATOR_MAX_TOKENS})
     * @param temperature  sampling temperature 0–1 ({@code GENERATOR_TEMPERATURE}), {@code null} for the model's default
     * @param historyTurns how many of the latest history turns are sent ({@code GENERATOR_HISTORY_TURNS})
     */
    public record Llm(Duration timeout, int maxAttempts, int maxTokens, Double temperature, int historyTurns) {

        /** The longest a generation may take, retries included: the SDK's and our own call budget. */
        public Duration budget() {
            return timeout.multipliedBy(maxAttempts);
        }
    }

    /**
     * @param baseUrl         {@code OPENAI_BASE_URL}, up to and including the version ({@code …/v1});
     *                        requests go to {@code baseUrl + "/chat/completions"}
     * @param model           {@code OPENAI_MODEL}
     * @param apiKey          {@code OPENAI_API_KEY}, or {@code null} (read from the secret, or no key); never printed
     * @param apiKeySecretArn {@code OPENAI_API_KEY_SECRET_ARN}, or {@code null}
     */
    public record OpenAi(URI baseUrl, String model, String apiKey, String apiKeySecretArn) {

        /** The same endpoint with the key read from its secret. */
        public OpenAi withApiKey(String key) {
            return new OpenAi(baseUrl, model, key, apiKeySecretArn);
        }

        @Override
        public String toString() {
            return "openai(" + baseUrl.getHost() + ", model=" + model
                    + (apiKeySecretArn != null ? ", key from secret" : apiKey != null ? ", key from env" : ", no key") + ")";
        }
    }

    static GeneratorSettings from(Environment env) {
        Kind kind = env.choice("GENERATOR", Kind.class, Kind.SCRIPTED);
        Path scripted = null;
        String scriptedPath = env.text("SCRIPTED_REPLIES");
        if (scriptedPath != null) {
            scripted = Path.of(scriptedPath);
            if (!Files.isReadable(scripted)) {
                throw new ConfigException("SCRIPTED_REPLIES: no readable file at " + scriptedPath);
            }
        }
        Llm llm = new Llm(
                env.millis("GENERATOR_TIMEOUT_MS", 10_000, 100, 300_000),
                (int) env.number("GENERATOR_MAX_ATTEMPTS", 2, 1, 5, "attempts"),
                (int) env.number("GENERATOR_MAX_TOKENS", 300, 1, 8_192, "tokens"),
                env.text("GENERATOR_TEMPERATURE") == null ? null : env.fraction("GENERATOR_TEMPERATURE", 0),
                (int) env.number("GENERATOR_HISTORY_TURNS", 20, 0, 200, "turns"));
        String bedrockModelId = null;
        OpenAi openAi = null;
        if (kind == Kind.BEDROCK) {
            bedrockModelId = env.text("BEDROCK_MODEL_ID");
            if (bedrockModelId == null) {
                throw new ConfigException("BEDROCK_MODEL_ID is required with GENERATOR=bedrock"
                        + " (a model id such as anthropic.claude-3-haiku-20240307-v1:0, or an inference profile id or ARN)");
            }
            if (!bedrockModelId.matches("[A-Za-z0-9._:/-]{1,2048}")) {
                throw new ConfigException("BEDROCK_MODEL_ID must be a model id, an inference profile id or an ARN");
            }
        } else if (kind == Kind.OPENAI) {
            URI base = env.text("OPENAI_BASE_URL") == null ? URI.create("https://api.openai.com/v1")
                    : env.httpUrl("OPENAI_BASE_URL", "");
            String model = env.text("OPENAI_MODEL");
            if (model == null) {
                throw new ConfigException("OPENAI_MODEL is required with GENERATOR=openai (e.g. gpt-4o-mini)");
            }
            String key = env.text("OPENAI_API_KEY");
            String keySecret = env.text("OPENAI_API_KEY_SECRET_ARN");
            if (key != null && keySecret != null) {
                throw new ConfigException("set OPENAI_API_KEY or OPENAI_API_KEY_SECRET_ARN, not both");
            }
            if (keySecret != null) {
                SecretArn.check("OPENAI_API_KEY_SECRET_ARN", keySecret);
            }
            openAi = new OpenAi(base, model, key, keySecret);
        }
        return new GeneratorSettings(kind, env.millis("GENERATOR_DELAY_MS", 0, 0, 900_000), scripted, llm,
                bedrockModelId, openAi);
    }

    /** The same settings with the OpenAI key read from its secret. */
    public GeneratorSettings withOpenAi(OpenAi resolved) {
        return new GeneratorSettings(kind, delay, scriptedReplies, llm, bedrockModelId, resolved);
    }

    @Override
    public String toString() {
        return "generator=" + kind.name().toLowerCase(Locale.ROOT) + switch (kind) {
            case SCRIPTED -> "";
            case BEDROCK -> " (" + bedrockModelId + ", " + llm.timeout().toMillis() + "ms x " + llm.maxAttempts() + ")";
            case OPENAI -> " (" + openAi + ", " + llm.timeout().toMillis() + "ms x " + llm.maxAttempts() + ")";
        };
    }
}
