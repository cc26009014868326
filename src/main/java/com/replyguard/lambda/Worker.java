package com.replyguard.lambda;

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
            case WEBHOOK -> new WebhookSink(config.sink().webhookUrl(), config.sink().webhookTimeout(), config.sink().webhookSecret());
            case SQS -> throw new IllegalStateException("rejected by WorkerConfig");
        };
        ReplyPipeline pipeline = new ReplyPipeline(guard, generator, sink,
                config.guard().questionSimilarity(), config.guard().replySimilarity(), clock);
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
