package com.replyguard.lambda;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.replyguard.config.ObservabilitySettings;
import com.replyguard.core.Outcome;
import com.replyguard.core.RecordResult;
import software.amazon.cloudwatchlogs.emf.environment.Environment;
import software.amazon.cloudwatchlogs.emf.logger.MetricsLogger;
import software.amazon.cloudwatchlogs.emf.model.DimensionSet;
import software.amazon.cloudwatchlogs.emf.model.MetricsContext;
import software.amazon.cloudwatchlogs.emf.model.Unit;
import software.amazon.cloudwatchlogs.emf.sinks.ISink;

import java.io.PrintStream;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One CloudWatch Embedded Metric Format record per invocation, written to the log stream: counts
 * per outcome, replies delivered, and per-record guard, generation and delivery times. The only
 * dimension is the function name (a per-match dimension would explode the metric count).
 *
 * <p>How the original design's figures read from them: jobs skipped = the {@code Skipped*},
 * {@code Coalesced} and {@code DroppedDuplicateReply} counts over {@code Records}; added latency =
 * {@code GuardTime} (p50/p99); replies sent without the guard's protection = {@code GuardBypassed}.
 */
final class InvocationMetrics {

    private final MetricsLogger metrics;
    private final Map<Outcome, Integer> counts = new EnumMap<>(Outcome.class);
    private int replies;
    private int waiting;
    private int parked;

    InvocationMetrics(ObservabilitySettings settings, PrintStream out) {
        this.metrics = new MetricsLogger(new StreamEnvironment(out));
        try {
            metrics.setNamespace(settings.metricsNamespace());
        } catch (software.amazon.cloudwatchlogs.emf.exception.InvalidNamespaceException e) {
            throw new IllegalArgumentException("METRICS_NAMESPACE is not a valid CloudWatch namespace", e);
        }
        metrics.setDimensions(DimensionSet.of("FunctionName", settings.functionName()));
        for (Outcome outcome : Outcome.values()) {
            counts.put(outcome, 0);
        }
    }

    synchronized void record(RecordResult result) {
        counts.merge(result.outcome(), 1, Integer::sum);
        put("GuardTime", result.guardMillis(), Unit.MILLISECONDS);
        if (result.rounds() > 0) {
            put("GenerationTime", result.generateMillis(), Unit.MILLISECONDS);
        }
        if (result.retryAfter() != null) {
            waiting++;
        }
        parked += result.parked().size();
        if (result.replies() > 0) {
            put("DeliveryTime", result.deliverMillis(), Unit.MILLISECONDS);
            replies += result.replies();
        }
    }

    /** A record that ended without a pipeline result (invalid, or an unexpected error). */
    synchronized void count(Outcome outcome) {
        counts.merge(outcome, 1, Integer::sum);
    }

    /** Writes the invocation's record. Zero counts are written too, so dashboards can divide by them. */
    synchronized void flush() {
        int records = 0;
        for (Map.Entry<Outcome, Integer> count : counts.entrySet()) {
            put(count.getKey().metricName(), count.getValue(), Unit.COUNT);
            records += count.getValue();
        }
        put("Records", records, Unit.COUNT);
        put("RepliesDelivered", replies, Unit.COUNT);
        // left on the queue to wait for another job's reply (not failures)
        put("RecordsWaiting", waiting, Unit.COUNT);
        // handed-over messages set aside after repeated failed generations: alarmed on
        put("HandoversParked", parked, Unit.COUNT);
        // Lambda's JSON log format files a line by these two; EMF keeps them as plain properties
        metrics.putProperty("timestamp", java.time.Instant.now().toString());
        metrics.putProperty("level", "INFO");
        metrics.flush();
    }

    private void put(String name, double value, Unit unit) {
        try {
            metrics.putMetric(name, value, unit);
        } catch (software.amazon.cloudwatchlogs.emf.exception.InvalidMetricException e) {
            throw new IllegalStateException("metric " + name + " rejected", e);
        }
    }

    /**
     * The EMF library's Lambda environment, writing to the worker's own log stream (stdout on
     * Lambda) rather than probing for an agent or instance metadata.
     */
    private record StreamEnvironment(PrintStream out) implements Environment {

        @Override
        public boolean probe() {
            return true;
        }

        @Override
        public String getName() {
            return "reply-guard";
        }

        @Override
        public String getType() {
            return "AWS::Lambda::Function";
        }

        @Override
        public String getLogGroupName() {
            return "";
        }

        @Override
        public void configureContext(MetricsContext context) {
        }

        @Override
        public ISink getSink() {
            return new ISink() {
                @Override
                public void accept(MetricsContext context) {
                    try {
                        for (String document : context.serialize()) {
                            synchronized (out) {
                                out.println(document);
                                out.flush();
                            }
                        }
                    } catch (JsonProcessingException e) {
                        throw new IllegalStateException("EMF record not serialisable", e);
                    }
                }

                @Override
                public CompletableFuture<Void> shutdown() {
                    return CompletableFuture.completedFuture(null);
                }
            };
        }
    }
}
