package com.replyguard.bench.sim;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.replyguard.config.WorkerConfig;
import com.replyguard.lambda.ReplyGuardHandler;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A container running the real {@link ReplyGuardHandler}, configured from an environment map as
 * Lambda would configure it; its log lines and stdout-sink replies go to collectors.
 */
final class HandlerContainer implements SimContainer {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ReplyGuardHandler handler;

    HandlerContainer(Map<String, String> env, Lines log, Lines replies) {
        this.handler = new ReplyGuardHandler(WorkerConfig.fromEnvironment(env), Clock.systemUTC(), log.stream(),
                replies.stream());
    }

    @Override
    public Set<String> handle(List<SimQueue.Received> batch) {
        List<SQSEvent.SQSMessage> records = new ArrayList<>();
        for (SimQueue.Received r : batch) {
            records.add(record(r.delivery().sqsId(), body(r.delivery().message()), r.receiveCount()));
        }
        SQSEvent event = new SQSEvent();
        event.setRecords(records);
        SQSBatchResponse response = handler.handleRequest(event, null);
        Set<String> failed = new HashSet<>();
        response.getBatchItemFailures().forEach(f -> failed.add(f.getItemIdentifier()));
        return failed;
    }

    @Override
    public void close() {
        handler.close();
    }

    /** The job as the bridge enqueues it (SPEC "Job"). */
    static String body(Traffic.UserMessage message) {
        ObjectNode job = JSON.createObjectNode();
        job.put("matchId", message.matchId());
        job.put("messageId", message.messageId());
        job.put("userMessage", message.text());
        job.put("sentAt", Instant.now().toString());
        job.put("persona", "Léa, 27 ans, marketing à Lyon");
        return job.toString();
    }

    static SQSEvent.SQSMessage record(String sqsId, String body, int receiveCount) {
        SQSEvent.SQSMessage record = new SQSEvent.SQSMessage();
        record.setMessageId(sqsId);
        record.setReceiptHandle("handle-" + sqsId + "-" + receiveCount);
        record.setBody(body);
        record.setAttributes(Map.of("ApproximateReceiveCount", Integer.toString(receiveCount),
                "SentTimestamp", Long.toString(System.currentTimeMillis())));
        record.setEventSource("aws:sqs");
        record.setEventSourceArn("arn:aws:sqs:eu-west-3:123456789012:reply-guard-jobs");
        record.setAwsRegion("eu-west-3");
        return record;
    }
}
