package com.replyguard.lambda;

import com.replyguard.config.SinkSettings;
import com.replyguard.config.WorkerConfig;
import com.replyguard.core.ReplyGenerator;
import com.replyguard.core.ReplyGuard;
import com.replyguard.core.ReplyPipeline;
import com.replyguard.core.ReplySink;
import com.replyguard.generator.ScriptedGenerator;
import com.replyguard.redis.RedisReplyGuard;
import com.replyguard.sink.StdoutSink;
import com.replyguard.sink.WebhookSink;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;

/** The adapters chosen by the configuration, wired into one pipeline; built once per container. */
final class Worker implements AutoCloseable {

    final WorkerConfig config;
    final ReplyPipeline pipeline;
    private final ReplyGuard guard;

    private Worker(WorkerConfig config, ReplyGuard guard, ReplyPipeline pipeline) {
        this.config = config;
        this.guard = guard;
        this.pipeline = pipeline;
    }

    static Worker create(WorkerConfig config, Clock clock, PrintStream stdout) {
        ReplyGuard guard = config.guard().enabled()
                ? RedisReplyGuard.create(config.redis(), config.guard(), clock) : ReplyGuard.disabled();
        ReplyGenerator generator = switch (config.generator().kind()) {
            case SCRIPTED -> ScriptedGenerator.create(config.generator().scriptedReplies(), config.generator().delay());
            case BEDROCK, OPENAI -> throw new IllegalStateException("rejected by WorkerConfig");
        };
        ReplySink sink = switch (config.sink().kind()) {
            case STDOUT -> new StdoutSink(stdout);
            case WEBHOOK -> new WebhookSink(config.sink().webhookUrl(), config.sink().webhookTimeout());
            case SQS -> throw new IllegalStateException("rejected by WorkerConfig");
        };
        // time kept back for delivering once a reply is committed: the sink's own timeout, plus a margin
        Duration deliveryReserve = (config.sink().kind() == SinkSettings.Kind.WEBHOOK
                ? config.sink().webhookTimeout() : Duration.ofSeconds(2)).plusMillis(500);
        ReplyPipeline.Policy policy = new ReplyPipeline.Policy(config.guard().questionSimilarity(),
                config.guard().replySimilarity(),
                // with no guard, nothing is deduplicated or joined: the baseline answers every record
                config.guard().enabled() && config.guard().coalesce(), config.guard().coalesceMaxRounds(),
                deliveryReserve);
        ReplyPipeline pipeline = new ReplyPipeline(guard, generator, sink, policy, clock);
        return new Worker(config, guard, pipeline);
    }

    @Override
    public void close() {
        if (guard instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                // shutting down
            }
        }
    }
}
