package com.replyguard.testing;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** SQS records and events shaped as Lambda delivers them, for tests that build their own traffic. */
public final class Sqs {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Sqs() {
    }

    public static String job(String matchId, String messageId, String userMessage) {
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("matchId", matchId);
        job.put("messageId", messageId);
        job.put("userMessage", userMessage);
        job.put("persona", "Léa, 27 ans, marketing à Lyon");
        try {
            return JSON.writeValueAsString(job);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static SQSEvent.SQSMessage record(String sqsMessageId, String body, int receiveCount) {
        SQSEvent.SQSMessage record = new SQSEvent.SQSMessage();
        record.setMessageId(sqsMessageId);
        record.setReceiptHandle("handle-" + sqsMessageId + "-" + receiveCount);
        record.setBody(body);
        record.setAttributes(Map.of("ApproximateReceiveCount", Integer.toString(receiveCount),
                "SentTimestamp", "1796000000000"));
        record.setEventSource("aws:sqs");
        record.setEventSourceArn("arn:aws:sqs:eu-west-3:123456789012:reply-guard-jobs");
        record.setAwsRegion("eu-west-3");
        return record;
    }

    public static SQSEvent event(SQSEvent.SQSMessage... records) {
        SQSEvent event = new SQSEvent();
        event.setRecords(new ArrayList<>(Arrays.asList(records)));
        return event;
    }

    /**
     * The event as JSON in the shape Lambda's event source mapping sends it over the Runtime API
     * (what {@code events/*.json} hold), for a function run by the runtime interface client.
     */
    public static String eventJson(List<SQSEvent.SQSMessage> records) {
        ObjectNode event = JSON.createObjectNode();
        ArrayNode array = event.putArray("Records");
        for (SQSEvent.SQSMessage message : records) {
            ObjectNode record = array.addObject();
            record.put("messageId", message.getMessageId());
            record.put("receiptHandle", message.getReceiptHandle());
            record.put("body", message.getBody());
            ObjectNode attributes = record.putObject("attributes");
            message.getAttributes().forEach(attributes::put);
            record.putObject("messageAttributes");
            if (message.getMd5OfBody() != null) {
                record.put("md5OfBody", message.getMd5OfBody());
            }
            record.put("eventSource", "aws:sqs");
            record.put("eventSourceARN", message.getEventSourceArn());
            record.put("awsRegion", message.getAwsRegion());
        }
        return event.toString();
    }

    public static List<String> failedIds(com.amazonaws.services.lambda.runtime.events.SQSBatchResponse response) {
        return response.getBatchItemFailures().stream()
                .map(com.amazonaws.services.lambda.runtime.events.SQSBatchResponse.BatchItemFailure::getItemIdentifier)
                .toList();
    }
}
