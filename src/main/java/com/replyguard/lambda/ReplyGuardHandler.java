package com.replyguard.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;
import com.replyguard.config.WorkerConfig;
import com.replyguard.core.Deadline;
import com.replyguard.core.Job;
import com.replyguard.core.Outcome;
import com.replyguard.core.RecordResult;
import com.replyguard.core.ReplyPipeline;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The Lambda entry point: an SQS batch in, the records to retry out ({@code ReportBatchItemFailures}).
 *
 * <p>Records of different matches run concurrently, one virtual thread per match; records of the
 * same match run in their batch order. Every record ends with exactly one outcome and one log line;
 * no exception escapes, so one bad record never fails its batch. A record is left on the queue when
 * it failed, is invalid, or waits for another job's reply ({@link RecordResult#retried}); the last
 * come back when that job's flag ends ({@link JobsQueue}). The Redis client and connection
 * are created once per container and reused; nothing else outlives an invocation.
 */
public final class ReplyGuardHandler implements RequestHandler<SQSEvent, SQSBatchResponse>, AutoCloseable {

    private final Worker worker;
    private final JobParser parser;
    private final RecordLog log;
    private final PrintStream logStream;
    private final JobsQueue jobsQueue;

    /** Used by Lambda: reads the configuration from the environment, logs to stdout. */
    public ReplyGuardHandler() {
        this(WorkerConfig.fromEnvironment(System.getenv()), Clock.systemUTC(), System.out, System.out);
    }

    /**
     * @param logStream   where the one-line-per-record log goes
     * @param stdoutSink  where the {@code stdout} sink prints replies
     */
    public ReplyGuardHandler(WorkerConfig config, Clock clock, PrintStream logStream, PrintStream stdoutSink) {
        this.worker = Worker.create(config, clock, stdoutSink);
        this.parser = new JobParser(config.maxMessageChars());
        this.log = new RecordLog(logStream, config.observability().logLevel(), clock);
        this.logStream = logStream;
        this.jobsQueue = new JobsQueue(config.aws(), worker.aws, logStream);
        if (config.aws().primesAtInit()) {
            worker.hooks.primeAtInit();
        }
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        List<SQSMessage> records = event == null || event.getRecords() == null ? List.of() : event.getRecords();
        String requestId = context == null ? null : context.getAwsRequestId();
        InvocationMetrics metrics = new InvocationMetrics(worker.config.observability(), logStream);
        Set<String> failed = new LinkedHashSet<>();
        List<JobsQueue.Delay> delays = new ArrayList<>();
        Map<String, SQSMessage> bySqsId = new LinkedHashMap<>();
        Map<String, List<Job>> byMatch = new LinkedHashMap<>();
        for (SQSMessage record : records) {
            try {
                Job job = parser.parse(record);
                byMatch.computeIfAbsent(job.matchId(), k -> new ArrayList<>()).add(job);
                bySqsId.put(record.getMessageId(), record);
            } catch (JobParser.InvalidJobException e) {
                log.invalid(record.getMessageId(), e.getMessage(), requestId);
                metrics.count(Outcome.INVALID);
                failed.add(record.getMessageId());
            } catch (RuntimeException e) {
                log.invalid(record.getMessageId(), "record could not be read: " + e.getClass().getSimpleName(), requestId);
                metrics.count(Outcome.INVALID);
                failed.add(record.getMessageId());
            }
        }
        Deadline deadline = context == null ? Deadline.none()
                : Deadline.in(Duration.ofMillis(context.getRemainingTimeInMillis()));
        ReplyPipeline.Invocation invocation = worker.pipeline.invocation(deadline);
        try (ExecutorService perMatch = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<List<String>>> matches = new ArrayList<>();
            for (List<Job> jobs : byMatch.values()) {
                matches.add(perMatch.submit(() -> processMatch(invocation, jobs, requestId, metrics, bySqsId, delays)));
            }
            for (Future<List<String>> match : matches) {
                try {
                    failed.addAll(match.get());
                } catch (InterruptedException e) {
                    perMatch.shutdownNow(); // stop the records too: closing the executor would wait for them
                    throw e;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            byMatch.values().forEach(jobs -> jobs.forEach(job -> failed.add(job.sqsMessageId())));
        } catch (java.util.concurrent.ExecutionException e) {
            // processMatch catches everything per record; reaching here means a bug: retry them all
            byMatch.values().forEach(jobs -> jobs.forEach(job -> failed.add(job.sqsMessageId())));
        }
        invocation.finish();
        jobsQueue.delay(delays);
        metrics.flush();
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        failed.forEach(id -> failures.add(new SQSBatchResponse.BatchItemFailure(id)));
        return new SQSBatchResponse(failures);
    }

    /** @return the SQS ids of this match's records to leave on the queue */
    private List<String> processMatch(ReplyPipeline.Invocation invocation, List<Job> jobs, String requestId,
                                      InvocationMetrics metrics, Map<String, SQSMessage> bySqsId, List<JobsQueue.Delay> delays) {
        List<String> retry = new ArrayList<>();
        List<RecordResult> results;
        try {
            results = invocation.process(jobs);
        } catch (RuntimeException e) {
            for (Job job : jobs) {
                log.failed(job, "unexpected " + e.getClass().getSimpleName(), requestId);
                metrics.count(Outcome.FAILED);
                retry.add(job.sqsMessageId());
            }
            return retry;
        }
        for (int i = 0; i < jobs.size(); i++) {
            Job job = jobs.get(i);
            RecordResult result = results.get(i);
            log.processed(job, result, requestId);
            metrics.record(result);
            if (result.retried()) {
                retry.add(job.sqsMessageId());
                if (result.retryAfter() != null) {
                    synchronized (delays) {
                        delays.add(new JobsQueue.Delay(bySqsId.get(job.sqsMessageId()), result.retryAfter()));
                    }
                }
            }
        }
        return retry;
    }

    /**
     * Opens the guard's Redis connection now rather than on the first record, as SnapStart's
     * {@code afterRestore} does: for the local run, whose first record must not pay a cold connect.
     *
     * @return whether a connection is open (false with the guard off, or when Redis cannot be
     *         reached: the first record then tries again, and fails open)
     */
    public boolean connectGuard() {
        return worker.hooks.reconnect();
    }

    @Override
    public void close() {
        worker.close();
    }
}
