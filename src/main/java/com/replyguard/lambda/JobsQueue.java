package com.replyguard.lambda;

import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;
import com.replyguard.aws.AwsClients;
import com.replyguard.config.AwsSettings;
import com.replyguard.logging.JsonLogLine;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchResponse;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The jobs queue, for the records a batch leaves on it although they did not fail: a message handed
 * over to the job generating for its match stays on the queue until a reply covering it is
 * committed (SPEC I2), and should come back soon after that job's flag ends, not after the queue's
 * whole visibility timeout. {@code ChangeMessageVisibility} on the records' receipt handles, as AWS
 * suggests for backing off a record: best effort — if it fails, the record simply comes back later.
 * Off AWS (no region) it does nothing.
 */
final class JobsQueue {

    private static final int MAX_BATCH = 10;
    private static final long MAX_VISIBILITY_SECONDS = 43_200;

    private final AwsSettings aws;
    private final AwsClients clients;
    private final PrintStream log;
    private SqsClient sqs;

    JobsQueue(AwsSettings aws, AwsClients clients, PrintStream log) {
        this.aws = aws;
        this.clients = clients;
        this.log = log;
    }

    /** A record to bring back after {@code after} instead of the queue's visibility timeout. */
    record Delay(SQSMessage record, Duration after) {
    }

    void delay(List<Delay> delays) {
        if (delays.isEmpty() || aws.region() == null) {
            return;
        }
        Map<String, List<Delay>> byQueue = new LinkedHashMap<>();
        for (Delay delay : delays) {
            String queue = queueUrl(delay.record().getEventSourceArn());
            if (queue != null && delay.record().getReceiptHandle() != null) {
                byQueue.computeIfAbsent(queue, k -> new ArrayList<>()).add(delay);
            }
        }
        byQueue.forEach((queue, entries) -> {
            for (int from = 0; from < entries.size(); from += MAX_BATCH) {
                send(queue, entries.subList(from, Math.min(entries.size(), from + MAX_BATCH)));
            }
        });
    }

    private void send(String queue, List<Delay> entries) {
        List<ChangeMessageVisibilityBatchRequestEntry> requests = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            long seconds = Math.max(1, Math.min(MAX_VISIBILITY_SECONDS, (entries.get(i).after().toMillis() + 999) / 1000));
            requests.add(ChangeMessageVisibilityBatchRequestEntry.builder().id(Integer.toString(i))
                    .receiptHandle(entries.get(i).record().getReceiptHandle()).visibilityTimeout((int) seconds).build());
        }
        try {
            ChangeMessageVisibilityBatchResponse response = client().changeMessageVisibilityBatch(r -> r.queueUrl(queue).entries(requests));
            if (response.hasFailed() && !response.failed().isEmpty()) {
                BatchResultErrorEntry first = response.failed().getFirst();
                warn(response.failed().size(), first.code());
            }
        } catch (SdkException e) {
            warn(entries.size(), e.getClass().getSimpleName());
        }
    }

    private void warn(int records, String cause) {
        JsonLogLine.write(log, JsonLogLine.at(Instant.now(), "WARN")
                .put("message", "could not bring retried records back early; they return after the queue's visibility timeout")
                .put("event", "VISIBILITY_NOT_CHANGED")
                .put("records", records)
                .put("cause", cause));
    }

    private synchronized SqsClient client() {
        if (sqs == null) {
            sqs = clients.sqs(Duration.ofSeconds(1), 2);
        }
        return sqs;
    }

    /** {@code arn:aws:sqs:REGION:ACCOUNT:NAME} → the queue's URL. */
    static String queueUrl(String arn) {
        if (arn == null) {
            return null;
        }
        String[] parts = arn.split(":");
        if (parts.length != 6 || !parts[2].equals("sqs")) {
            return null;
        }
        String domain = parts[1].equals("aws-cn") ? "amazonaws.com.cn" : "amazonaws.com";
        return "https://sqs." + parts[3] + "." + domain + "/" + parts[4] + "/" + parts[5];
    }
}
