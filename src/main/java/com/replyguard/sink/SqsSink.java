package com.replyguard.sink;

import com.replyguard.aws.Priming;
import com.replyguard.core.Job;
import com.replyguard.core.Primeable;
import com.replyguard.core.Reply;
import com.replyguard.core.ReplySink;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sends each reply's JSON to the reply queue ({@code REPLY_QUEUE_URL}) with {@code SendMessage},
 * with the message attributes {@code replyId}, {@code matchId} and {@code inReplyTo}
 * (comma-separated messageIds) so a consumer can route and deduplicate without parsing the body. A
 * standard queue may hold one reply twice (the SDK's retry of a send that timed out yet arrived, or
 * a re-send after a crash): consumers drop a {@code replyId} they have seen. On a FIFO queue
 * ({@code .fifo}) the group is the match (replies of a match stay in order) and the deduplication id
 * is the {@code replyId}: a reply re-sent within SQS's 5-minute window is dropped by the queue.
 * Only a successful SendMessage counts as delivered; errors carry the AWS code and status only.
 */
public final class SqsSink implements ReplySink, Primeable {

    private final SqsClient sqs;
    private final String queueUrl;
    private final boolean fifo;

    public SqsSink(SqsClient sqs, URI queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl.toString();
        this.fifo = queueUrl.getPath().endsWith(".fifo");
    }

    @Override
    public void deliver(Reply reply) throws DeliveryException {
        try {
            sqs.sendMessage(request(reply).build());
        } catch (ApiCallTimeoutException | ApiCallAttemptTimeoutException e) {
            throw new DeliveryException("sqs send timed out", e);
        } catch (AwsServiceException e) {
            String code = e.awsErrorDetails() == null ? "unknown" : e.awsErrorDetails().errorCode();
            throw new DeliveryException("sqs send failed: " + code + " (HTTP " + e.statusCode() + ")", e);
        } catch (SdkClientException e) {
            throw new DeliveryException("sqs unreachable: " + e.getClass().getSimpleName()
                    + (e.getCause() == null ? "" : " (" + e.getCause().getClass().getSimpleName() + ")"), e);
        } catch (SdkException e) {
            throw new DeliveryException("sqs send failed: " + e.getClass().getSimpleName(), e);
        }
    }

    SendMessageRequest.Builder request(Reply reply) {
        Map<String, MessageAttributeValue> attributes = new LinkedHashMap<>();
        attributes.put("replyId", text(reply.replyId()));
        attributes.put("matchId", text(reply.matchId()));
        if (!reply.inReplyTo().isEmpty()) { // SQS refuses an empty attribute value
            attributes.put("inReplyTo", text(String.join(",", reply.inReplyTo())));
        }
        SendMessageRequest.Builder request = SendMessageRequest.builder()
                .queueUrl(queueUrl)
                .messageBody(ReplyJson.write(reply))
                .messageAttributes(attributes);
        if (fifo) {
            request.messageGroupId(reply.matchId())
                    .messageDeduplicationId(reply.replyId());
        }
        return request;
    }

    private static MessageAttributeValue text(String value) {
        return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
    }


    /** Builds, marshals and signs a SendMessage for a synthetic reply, and stops it before sending. */
    @Override
    public void prime(Job sample) {
        Reply reply = new Reply("priming", sample.matchId(), List.of(sample.messageId()), "Haha, raconte-moi plus !", Instant.EPOCH);
        try {
            sqs.sendMessage(request(reply).overrideConfiguration(Priming.request()).build());
        } catch (RuntimeException e) {
            // expected: Priming stops the call before it is sent
        }
    }
}
