package com.replyguard.lambda;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.tests.annotations.Event;
import com.replyguard.testing.Capture;
import com.replyguard.testing.RealRedis;
import com.replyguard.testing.Sqs;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each sample in {@code events/}, loaded by the Lambda runtime's own event deserialisation
 * ({@code aws-lambda-java-tests} → {@code aws-lambda-java-serialization}) and run through the handler.
 */
class EventFilesEndToEndTest {

    private final Capture log = new Capture();
    private final Capture replies = new Capture();

    @BeforeEach
    void cleanRedis() {
        RealRedis.flush();
    }

    private SQSBatchResponse invoke(SQSEvent event) {
        try (ReplyGuardHandler handler = Containers.start(Containers.env(), Clock.systemUTC(), log, replies)) {
            return handler.handleRequest(event, null);
        }
    }

    @ParameterizedTest
    @Event(value = "events/one-message.json", type = SQSEvent.class)
    void shouldReplyOnce_toOneMessage(SQSEvent event) {
        assertThat(invoke(event).getBatchItemFailures()).isEmpty();
        assertThat(log.outcomes()).containsExactly("REPLIED");
        assertThat(replies.jsonLines()).singleElement()
                .satisfies(r -> assertThat(r.get("inReplyTo").get(0).asText()).isEqualTo("msg-1001"));
    }

    @ParameterizedTest
    @Event(value = "events/duplicate-delivery.json", type = SQSEvent.class)
    void shouldReplyOnce_whenTheSameSqsMessageIsTwiceInOneBatch(SQSEvent event) {
        assertThat(invoke(event).getBatchItemFailures()).isEmpty();
        assertThat(log.outcomes()).containsExactly("REPLIED", "SKIPPED_ALREADY_ANSWERED");
        assertThat(replies.jsonLines()).hasSize(1);
    }

    @ParameterizedTest
    @Event(value = "events/bridge-double-enqueue.json", type = SQSEvent.class)
    void shouldReplyOnce_whenTheBridgeEnqueuedTheMessageTwice(SQSEvent event) {
        assertThat(invoke(event).getBatchItemFailures()).isEmpty();
        assertThat(log.outcomes()).containsExactly("REPLIED", "SKIPPED_ALREADY_ANSWERED");
        assertThat(replies.jsonLines()).hasSize(1);
    }

    @ParameterizedTest
    @Event(value = "events/redelivery.json", type = SQSEvent.class)
    void shouldReplyOnce_whenTheSameMessageComesInTwoBatches(SQSEvent event) {
        assertThat(invoke(event).getBatchItemFailures()).isEmpty();
        assertThat(invoke(event).getBatchItemFailures()).isEmpty();
        assertThat(log.outcomes()).containsExactly("REPLIED", "SKIPPED_ALREADY_ANSWERED");
        assertThat(replies.jsonLines()).hasSize(1);
    }

    @ParameterizedTest
    @Event(value = "events/rapid-sequence.json", type = SQSEvent.class)
    void shouldAnswerARapidSequenceInOneBatch_withOneReply(SQSEvent event) {
        assertThat(invoke(event).getBatchItemFailures()).isEmpty();
        assertThat(log.outcomes()).containsExactly("REPLIED", "COALESCED", "COALESCED");
        assertThat(replies.jsonLines()).singleElement().satisfies(r -> assertThat(r.get("inReplyTo"))
                .extracting(com.fasterxml.jackson.databind.JsonNode::asText).containsExactly("msg-5001", "msg-5002", "msg-5003"));
    }

    @ParameterizedTest
    @Event(value = "events/same-question-30s-later.json", type = SQSEvent.class)
    void shouldSkipTheSameQuestionAskedAgain_underANewMessageId(SQSEvent event) {
        assertThat(invoke(event).getBatchItemFailures()).isEmpty();
        assertThat(log.outcomes()).containsExactly("REPLIED", "SKIPPED_SIMILAR_QUESTION");
    }

    @ParameterizedTest
    @Event(value = "events/mixed-valid-invalid.json", type = SQSEvent.class)
    void shouldReportOnlyTheInvalidRecords_andAnswerTheValidOnes(SQSEvent event) {
        List<String> invalidIds = event.getRecords().subList(1, 5).stream().map(SQSEvent.SQSMessage::getMessageId).toList();
        assertThat(Sqs.failedIds(invoke(event))).containsExactlyInAnyOrderElementsOf(invalidIds);
        assertThat(log.outcomes()).containsExactlyInAnyOrder("REPLIED", "INVALID", "INVALID", "INVALID", "INVALID", "REPLIED");
        assertThat(log.records()).filteredOn(l -> l.get("outcome").asText().equals("INVALID"))
                .extracting(l -> l.get("error").asText())
                .containsExactlyInAnyOrder("body is not valid JSON (line 1, column 1)", "matchId is missing",
                        "userMessage is blank", "matchId has 300 characters, over the limit of 256");
        assertThat(replies.jsonLines()).hasSize(2);
    }

    @Test
    void shouldHaveATestForEveryEventFile() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("events"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
                    "one-message.json", "duplicate-delivery.json", "bridge-double-enqueue.json", "redelivery.json",
                    "rapid-sequence.json", "same-question-30s-later.json", "mixed-valid-invalid.json", "env.json");
        }
    }
}
