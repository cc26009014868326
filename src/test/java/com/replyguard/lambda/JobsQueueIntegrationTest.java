package com.replyguard.lambda;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.replyguard.testing.Capture;
import com.replyguard.testing.ElasticMq;
import com.replyguard.testing.LocalAws;
import com.replyguard.testing.RealRedis;
import com.replyguard.testing.Sqs;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A record left on the queue to wait for another job's reply comes back when that job's flag ends,
 * not after the queue's whole visibility timeout: the handler changes its visibility, over the real
 * SQS wire protocol (ElasticMQ), with the record's own receipt handle.
 */
@Tag("own-servers")
class JobsQueueIntegrationTest {

    @Test
    void shouldBringAHandedOverRecordBackWhenTheHoldersFlagEnds_notAfterTheVisibilityTimeout() throws Exception {
        LocalAws.useDummyCredentials();
        RealRedis.flush();
        String name = "jobs-" + UUID.randomUUID();
        String queueUrl = ElasticMq.client().createQueue(r -> r.queueName(name)
                .attributesWithStrings(Map.of("VisibilityTimeout", "120"))).queueUrl();
        String body = Sqs.job("m-wait", "msg-2", "tu fais quoi ce soir ?");
        ElasticMq.client().sendMessage(r -> r.queueUrl(queueUrl).messageBody(body));
        Message received = ElasticMq.client().receiveMessage(r -> r.queueUrl(queueUrl).waitTimeSeconds(5)
                .messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages().getFirst();
        // another job generates for the match: its flag lives 2 more seconds
        RealRedis.inspect().hset("rg:{m-wait}:flag", Map.of("owner", "other", "messageId", "msg-1", "since", "0",
                "question", "salut"));
        RealRedis.inspect().pexpire("rg:{m-wait}:flag", 2_000);

        SQSEvent.SQSMessage record = Sqs.record(received.messageId(), body, 1);
        record.setReceiptHandle(received.receiptHandle());
        record.setEventSourceArn("arn:aws:sqs:" + LocalAws.REGION + ":000000000000:" + name);
        Capture log = new Capture();
        SQSBatchResponse response;
        try (ReplyGuardHandler handler = Containers.start(Containers.env("AWS_REGION", LocalAws.REGION,
                "AWS_ENDPOINT_URL_SQS", ElasticMq.endpoint().toString()), Clock.systemUTC(), log, new Capture())) {
            response = handler.handleRequest(Sqs.event(record), null);
        }
        assertThat(Sqs.failedIds(response)).containsExactly(received.messageId());
        assertThat(log.outcomes()).containsExactly("COALESCED");
        long retryAfter = log.records().getFirst().get("retryAfterMs").asLong();
        assertThat(retryAfter).isBetween(2_000L, 3_100L);

        long start = System.nanoTime();
        List<Message> back = ElasticMq.client().receiveMessage(r -> r.queueUrl(queueUrl).waitTimeSeconds(10)).messages();
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(back).as("back within the wait, not after 120 s").hasSize(1);
        assertThat(back.getFirst().messageId()).isEqualTo(received.messageId());
        assertThat(seconds).isLessThan(10);
        assertThat(log.jsonLines()).noneMatch(l -> "VISIBILITY_NOT_CHANGED".equals(l.path("event").asText()));
    }
}
