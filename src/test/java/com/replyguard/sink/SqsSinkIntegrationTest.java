package com.replyguard.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.replyguard.aws.AwsClients;
import com.replyguard.config.AwsSettings;
import com.replyguard.core.Job;
import com.replyguard.core.Reply;
import com.replyguard.core.ReplySink;
import com.replyguard.testing.ElasticMq;
import com.replyguard.testing.LocalAws;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;

import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The sqs sink against a real SQS-compatible server (ElasticMQ), through the production client setup. */
class SqsSinkIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static AwsClients aws;

    @BeforeAll
    static void start() {
        LocalAws.useDummyCredentials();
        aws = new AwsClients(new AwsSettings(LocalAws.REGION, Map.of(AwsSettings.SQS, ElasticMq.endpoint()), null));
    }

    @AfterAll
    static void stop() {
        aws.close();
    }

    private static SqsSink sink(String queueUrl) {
        return new SqsSink(aws.sqs(Duration.ofSeconds(2), 3), URI.create(queueUrl));
    }

    private static List<Message> receive(String queueUrl) {
        ReceiveMessageResponse response = ElasticMq.client().receiveMessage(r -> r.queueUrl(queueUrl)
                .maxNumberOfMessages(10).waitTimeSeconds(1)
                .messageAttributeNames("All")
                .messageSystemAttributeNames(MessageSystemAttributeName.MESSAGE_GROUP_ID));
        return response.messages();
    }

    @Test
    void shouldSendTheReplyJson_withMatchAttributes_whenDelivering() throws Exception {
        String queue = ElasticMq.createQueue("replies-" + UUID.randomUUID());
        Reply reply = new Reply("reply-4242", "match-42", List.of("msg-1001", "msg-1002"), "Je bosse en marketing 😊",
                Instant.parse("2026-11-29T14:27:12Z"));

        sink(queue).deliver(reply);

        List<Message> messages = receive(queue);
        assertThat(messages).hasSize(1);
        JsonNode body = JSON.readTree(messages.getFirst().body());
        assertThat(body.get("replyId").asText()).isEqualTo("reply-4242");
        assertThat(body.get("matchId").asText()).isEqualTo("match-42");
        assertThat(body.get("inReplyTo").toString()).isEqualTo("[\"msg-1001\",\"msg-1002\"]");
        assertThat(body.get("reply").asText()).isEqualTo("Je bosse en marketing 😊");
        assertThat(body.get("generatedAt").asText()).isEqualTo("2026-11-29T14:27:12Z");
        assertThat(messages.getFirst().messageAttributes().get("replyId").stringValue()).isEqualTo("reply-4242");
        assertThat(messages.getFirst().messageAttributes().get("matchId").stringValue()).isEqualTo("match-42");
        assertThat(messages.getFirst().messageAttributes().get("inReplyTo").stringValue()).isEqualTo("msg-1001,msg-1002");
    }

    @Test
    void shouldGroupByMatch_andDropTheResendOfTheSameReply_whenTheQueueIsFifo() throws Exception {
        String queue = ElasticMq.createQueue("replies-" + UUID.randomUUID() + ".fifo");
        Reply reply = new Reply("reply-" + UUID.randomUUID(), "match-7", List.of("msg-1"), "Carrément !", Instant.now());
        Reply followUp = new Reply("reply-" + UUID.randomUUID(), "match-7", List.of("msg-2"), "Et toi ?", Instant.now());
        SqsSink sink = sink(queue);

        sink.deliver(reply);
        sink.deliver(reply); // re-sent after a crash: same replyId, the queue's deduplication id
        sink.deliver(followUp);

        List<Message> messages = receive(queue);
        assertThat(messages).hasSize(2);
        assertThat(messages).extracting(m -> m.messageAttributes().get("replyId").stringValue())
                .containsExactly(reply.replyId(), followUp.replyId());
        assertThat(messages.getFirst().attributes().get(MessageSystemAttributeName.MESSAGE_GROUP_ID)).isEqualTo("match-7");
        assertThat(JSON.readTree(messages.getFirst().body()).get("reply").asText()).isEqualTo("Carrément !");
    }

    @Test
    void shouldFailTheDelivery_withTheAwsErrorCode_whenTheQueueDoesNotExist() {
        String missing = ElasticMq.endpoint() + "/000000000000/no-such-queue-" + UUID.randomUUID();
        Reply reply = new Reply("reply-" + java.util.UUID.randomUUID(), "match-1", List.of("msg-1"), "secret reply text", Instant.now());

        assertThatThrownBy(() -> sink(missing).deliver(reply))
                .isInstanceOf(ReplySink.DeliveryException.class)
                .hasMessageStartingWith("sqs send failed: ")
                .hasMessageContaining("QueueDoesNotExist (HTTP 400)")
                .hasMessageNotContaining("secret reply text");
    }

    @Test
    void shouldFailTheDelivery_quickly_whenSqsIsUnreachable() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try (AwsClients unreachable = new AwsClients(new AwsSettings(LocalAws.REGION,
                Map.of(AwsSettings.SQS, URI.create("http://127.0.0.1:" + closedPort)), null))) {
            SqsSink sink = new SqsSink(unreachable.sqs(Duration.ofMillis(500), 2),
                    URI.create("http://127.0.0.1:" + closedPort + "/000000000000/replies"));
            long start = System.nanoTime();
            assertThatThrownBy(() -> sink.deliver(new Reply("reply-x", "m", List.of("x"), "hi", Instant.now())))
                    .isInstanceOf(ReplySink.DeliveryException.class)
                    .hasMessageStartingWith("sqs unreachable");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        }
    }

    @Test
    void shouldSendNothing_whenPriming() {
        String queue = ElasticMq.createQueue("replies-" + UUID.randomUUID());
        Job sample = new Job("replyguard:priming", "priming", "priming", 1, "hello", null, List.of(), null);

        sink(queue).prime(sample);

        assertThat(receive(queue)).isEmpty();
    }
}
