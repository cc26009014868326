package com.replyguard.lambda;

import com.replyguard.aws.AwsClients;
import com.replyguard.aws.Secrets;
import com.replyguard.config.GeneratorSettings;
import com.replyguard.config.RedisSettings;
import com.replyguard.config.SinkSettings;
import com.replyguard.config.WorkerConfig;
import com.replyguard.core.ReplyGenerator;
import com.replyguard.core.ReplyGuard;
import com.replyguard.core.ReplyPipeline;
import com.replyguard.core.ReplySink;
import com.replyguard.generator.BedrockGenerator;
import com.replyguard.generator.OpenAiGenerator;
import com.replyguard.generator.ScriptedGenerator;
import com.replyguard.logging.LibraryLogs;
import com.replyguard.redis.RedisReplyGuard;
import com.replyguard.sink.SqsSink;
import com.replyguard.sink.StdoutSink;
import com.replyguard.sink.WebhookSink;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;

/**
 * The adapters chosen by the configuration, wired into one pipeline; built once per container.
 * Secrets (an Upstash URL, an OpenAI key) are read here, at init, with the SDK; AWS clients are
 * created here, once. The SnapStart hooks are registered here too.
 */
final class Worker implements AutoCloseable {

    final WorkerConfig config;
    final ReplyPipeline pipeline;
    final SnapStartHooks hooks; // held here: the CRaC context keeps only a weak reference
    private final ReplyGuard guard;
    final AwsClients aws;

    private Worker(WorkerConfig config, ReplyGuard guard, ReplyPipeline pipeline, SnapStartHooks hooks, AwsClients aws) {
        this.config = config;
        this.guard = guard;
        this.pipeline = pipeline;
        this.hooks = hooks;
        this.aws = aws;
    }

    static Worker create(WorkerConfig config, Clock clock, PrintStream stdout) {
        LibraryLogs.install(System.err);
        AwsClients aws = new AwsClients(config.aws());
        try {
            config = readSecrets(config, aws);
            ReplyGuard guard = config.guard().enabled()
                    ? RedisReplyGuard.create(config.redis(), config.guard(), clock) : ReplyGuard.disabled();
            GeneratorSettings generatorSettings = config.generator();
            ReplyGenerator generator = switch (generatorSettings.kind()) {
                case SCRIPTED -> ScriptedGenerator.create(generatorSettings.scriptedReplies(), generatorSettings.delay());
                case BEDROCK -> new BedrockGenerator(
                        aws.bedrock(generatorSettings.llm().timeout(), generatorSettings.llm().maxAttempts()),
                        generatorSettings.bedrockModelId(), generatorSettings.llm());
                case OPENAI -> new OpenAiGenerator(generatorSettings.openAi(), generatorSettings.llm());
            };
            ReplySink sink = switch (config.sink().kind()) {
                case STDOUT -> new StdoutSink(stdout);
                case WEBHOOK -> new WebhookSink(config.sink().webhookUrl(), config.sink().webhookTimeout(),
                        config.sink().webhookSecret());
                case SQS -> new SqsSink(aws.sqs(config.sink().queueTimeout(), SinkSettings.SQS_MAX_ATTEMPTS), config.sink().queueUrl());
            };
            ReplyPipeline.Policy policy = new ReplyPipeline.Policy(config.guard().questionSimilarity(),
                    config.guard().replySimilarity(),
                    // with no guard, nothing is deduplicated or joined: the baseline answers every record
                    config.guard().enabled() && config.guard().coalesce(), config.guard().coalesceMaxRounds(),
                    config.sink().worstDelivery(), config.guard().ttl(), config.aws().jobsMaxReceiveCount());
            ReplyPipeline pipeline = new ReplyPipeline(guard, generator, sink, policy, clock);
            SnapStartHooks hooks = new SnapStartHooks(new JobParser(config.maxMessageChars()), guard, generator, sink,
                    System.out, config.observability());
            hooks.register();
            return new Worker(config, guard, pipeline, hooks, aws);
        } catch (RuntimeException e) {
            aws.close();
            throw e;
        }
    }

    /**
     * Reads the secrets the configuration points at, once, at init (with SnapStart: before the
     * snapshot, so a restored container never calls Secrets Manager). A secret that cannot be read
     * stops the start, naming the variable, never the value.
     */
    private static WorkerConfig readSecrets(WorkerConfig config, AwsClients aws) {
        RedisSettings redis = config.redis();
        GeneratorSettings generator = config.generator();
        boolean redisSecret = config.guard().enabled() && redis.url() == null && redis.urlSecretArn() != null;
        boolean keySecret = generator.openAi() != null && generator.openAi().apiKeySecretArn() != null;
        if (!redisSecret && !keySecret) {
            return config;
        }
        try (SecretsManagerClient client = aws.secretsManager()) {
            Secrets secrets = new Secrets(client);
            if (redisSecret) {
                redis = redis.withUrl(secrets.read("REDIS_URL_SECRET_ARN", redis.urlSecretArn(), "REDIS_URL", "url"));
            }
            if (keySecret) {
                generator = generator.withOpenAi(generator.openAi().withApiKey(secrets.read("OPENAI_API_KEY_SECRET_ARN",
                        generator.openAi().apiKeySecretArn(), "OPENAI_API_KEY", "apiKey", "api_key")));
            }
        }
        return config.withResolved(redis, generator);
    }

    @Override
    public void close() {
        hooks.unregister();
        if (guard instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                // shutting down
            }
        }
        aws.close();
    }
}
