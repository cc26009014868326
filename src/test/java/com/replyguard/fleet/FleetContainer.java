package com.replyguard.fleet;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.replyguard.testing.LoopbackRuntimeApi;
import com.replyguard.testing.RuntimeClientProcess;
import com.replyguard.testing.Sqs;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One Lambda container of the fleet and the share of the SQS event source mapping that feeds it.
 *
 * <p>The container is a JVM of its own running the real Lambda Runtime Interface Client on the
 * deployable ({@link RuntimeClientProcess}), behind its own loopback Runtime API. The poller does
 * what the event source mapping does: it receives up to {@code BatchSize} records with the
 * attributes Lambda passes, invokes the function with a deadline, deletes the records that are not
 * in {@code batchItemFailures} (a record the function failed stays invisible for as long as the
 * function said with {@code ChangeMessageVisibility}, or the queue's visibility timeout), and at
 * the function timeout kills the process, as Lambda does, then starts a fresh one.
 */
final class FleetContainer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final Path taskRoot;
    private final Map<String, String> env;
    private final SqsClient sqs;
    private final String queueUrl;
    private final String queueArn;
    private final FleetSettings settings;
    private final Timeline timeline;
    private final List<RuntimeClientProcess> generations = new ArrayList<>();
    private final Thread poller;
    private volatile boolean stopping;
    private volatile boolean invoking;
    private LoopbackRuntimeApi api;
    private RuntimeClientProcess process;
    private int invocations;

    FleetContainer(String name, Path taskRoot, Map<String, String> env, SqsClient sqs, String queueUrl, String queueArn,
                   FleetSettings settings, Timeline timeline) {
        this.name = name;
        this.taskRoot = taskRoot;
        this.env = Map.copyOf(env);
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.queueArn = queueArn;
        this.settings = settings;
        this.timeline = timeline;
        this.poller = Thread.ofPlatform().name("fleet-poller-" + name).daemon().unstarted(this::poll);
    }

    String name() {
        return name;
    }

    /** Starts the first process and waits until its init is done (its first poll of the Runtime API). */
    void start() {
        startProcess();
        poller.start();
    }

    boolean busy() {
        return invoking;
    }

    int invocations() {
        return invocations;
    }

    /** {@code kill -9}: the invocation in flight ends with the process, its records stay on the queue. */
    synchronized void kill(String why) {
        if (process != null && process.isAlive()) {
            timeline.add(name, why + " (pid " + process.pid() + ")");
            process.kill();
            api.close();
        }
    }

    /** {@code kill -STOP}: the process freezes, so the invocation in flight runs into the function timeout. */
    synchronized void freeze() {
        if (process != null && process.isAlive()) {
            timeline.add(name, "frozen (SIGSTOP): its invocation will reach the function timeout");
            try {
                new ProcessBuilder("kill", "-STOP", Long.toString(process.pid())).start().waitFor(5, TimeUnit.SECONDS);
            } catch (IOException e) {
                throw new IllegalStateException("could not stop process " + process.pid(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Every line each of this slot's processes wrote to stdout, with its process generation. */
    List<String> stdout() {
        List<String> lines = new ArrayList<>();
        synchronized (this) {
            for (RuntimeClientProcess p : generations) {
                lines.addAll(p.stdout());
            }
        }
        return lines;
    }

    private synchronized void startProcess() {
        for (int attempt = 1; ; attempt++) {
            api = LoopbackRuntimeApi.start();
            process = RuntimeClientProcess.start(api, false, env, taskRoot);
            generations.add(process);
            if (initialized(api, process)) {
                timeline.add(name, "container started (pid " + process.pid() + ")");
                return;
            }
            List<String> stderr = process.stderr();
            timeline.add(name, "container failed its init (" + (process.isAlive() ? "no poll within 60 s" : "exited")
                    + "): " + String.join(" | ", api.initErrors()) + " stderr: "
                    + String.join(" | ", stderr.subList(Math.max(0, stderr.size() - 3), stderr.size())));
            process.kill();
            api.close();
            if (attempt == 3 || stopping) {
                throw new IllegalStateException(name + " did not start: " + api.initErrors() + " " + process.stderr());
            }
        }
    }

    /** Whether the process polled the Runtime API within 60 s; false as soon as it exits. */
    private static boolean initialized(LoopbackRuntimeApi api, RuntimeClientProcess process) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (process.isAlive() && System.nanoTime() < deadline) {
            if (api.awaitFirstPoll(Duration.ofMillis(200))) {
                return process.isAlive();
            }
        }
        return false;
    }

    private void poll() {
        while (!stopping) {
            try {
                if (!process.isAlive()) {
                    startProcess();
                }
                List<Message> records = sqs.receiveMessage(r -> r.queueUrl(queueUrl)
                        .maxNumberOfMessages(settings.batchSize()).waitTimeSeconds(1)
                        .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                        .messageAttributeNames("All")).messages();
                if (records.isEmpty() || stopping) {
                    continue;
                }
                invoking = true;
                try {
                    invoke(records);
                } finally {
                    invoking = false;
                }
            } catch (RuntimeException e) {
                if (!stopping) {
                    timeline.add(name, "poller: " + e);
                }
            }
        }
    }

    private void invoke(List<Message> records) {
        LoopbackRuntimeApi current;
        synchronized (this) {
            current = api;
        }
        invocations++;
        Duration timeout = Duration.ofSeconds(settings.functionTimeoutSeconds());
        CompletableFuture<LoopbackRuntimeApi.Result> result = current.invoke(event(records), timeout);
        LoopbackRuntimeApi.Result ended;
        try {
            ended = result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            kill("function timeout: Lambda stops the container");
            return;
        } catch (ExecutionException e) {
            return; // killed: the whole batch comes back after its visibility timeout
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (!ended.succeeded()) {
            timeline.add(name, "function error " + ended.errorType() + ": the batch stays on the queue");
            return;
        }
        Set<String> failed = new HashSet<>();
        try {
            for (JsonNode failure : JSON.readTree(ended.body()).path("batchItemFailures")) {
                failed.add(failure.path("itemIdentifier").asText());
            }
        } catch (IOException e) {
            timeline.add(name, "response is not JSON: the batch stays on the queue");
            return;
        }
        List<DeleteMessageBatchRequestEntry> done = new ArrayList<>();
        for (Message record : records) {
            if (!failed.contains(record.messageId())) {
                done.add(DeleteMessageBatchRequestEntry.builder().id(Integer.toString(done.size()))
                        .receiptHandle(record.receiptHandle()).build());
            }
        }
        if (!done.isEmpty()) {
            sqs.deleteMessageBatch(r -> r.queueUrl(queueUrl).entries(done));
        }
    }

    /** The SQS event, each record as Lambda's event source mapping shapes it. */
    private String event(List<Message> records) {
        List<SQSEvent.SQSMessage> lambdaRecords = new ArrayList<>();
        for (Message message : records) {
            SQSEvent.SQSMessage record = new SQSEvent.SQSMessage();
            record.setMessageId(message.messageId());
            record.setReceiptHandle(message.receiptHandle());
            record.setBody(message.body());
            record.setAttributes(message.attributesAsStrings());
            record.setMd5OfBody(message.md5OfBody());
            record.setEventSourceArn(queueArn);
            record.setAwsRegion("eu-west-3");
            lambdaRecords.add(record);
        }
        return Sqs.eventJson(lambdaRecords);
    }

    @Override
    public void close() {
        stopping = true;
        try {
            poller.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (process != null) {
                process.kill();
            }
            if (api != null) {
                api.close();
            }
        }
    }
}
