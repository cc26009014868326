package com.replyguard.lambda;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.tests.annotations.Event;
import com.fasterxml.jackson.databind.JsonNode;
import com.replyguard.testing.Capture;
import com.replyguard.testing.RealRedis;
import com.replyguard.testing.Sqs;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What operators get: one EMF record per invocation, one log line per record, no text at any level. */
class MetricsAndLogsIntegrationTest {

    private final Capture log = new Capture();
    private final Capture replies = new Capture();

    @BeforeEach
    void cleanRedis() {
        RealRedis.flush();
    }

    @ParameterizedTest
    @Event(value = "events/mixed-valid-invalid.json", type = SQSEvent.class)
    void shouldWriteOneEmfRecordPerInvocation_countingEachOutcome(SQSEvent event) {
        try (ReplyGuardHandler handler = Containers.start(Containers.env("AWS_LAMBDA_FUNCTION_NAME", "reply-guard-prod"),
                Clock.systemUTC(), log, replies)) {
            handler.handleRequest(event, null);
            handler.handleRequest(Sqs.event(
                    Sqs.record("x1", Sqs.job("m-emf", "msg-1", "salut"), 1),
                    Sqs.record("x2", Sqs.job("m-emf", "msg-2", "tu fais quoi ce soir ?"), 1),
                    Sqs.record("x3", Sqs.job("m-emf", "msg-1", "salut"), 2)), null);
        }
        List<JsonNode> documents = log.metrics();
        assertThat(documents).hasSize(2);

        JsonNode first = documents.getFirst();
        JsonNode directive = first.get("_aws").get("CloudWatchMetrics").get(0);
        assertThat(directive.get("Namespace").asText()).isEqualTo("ReplyGuard");
        assertThat(directive.get("Dimensions").toString()).isEqualTo("[[\"FunctionName\"]]");
        assertThat(first.get("FunctionName").asText()).isEqualTo("reply-guard-prod");
        assertThat(first.get("Records").asInt()).isEqualTo(6);
        assertThat(first.get("Replied").asInt()).isEqualTo(2);
        assertThat(first.get("Invalid").asInt()).isEqualTo(4);
        assertThat(first.get("RepliesDelivered").asInt()).isEqualTo(2);
        assertThat(first.get("SkippedInProgress").asInt()).as("zero counts are written too").isZero();
        assertThat(values(first.get("GuardTime"))).hasSize(2).allMatch(ms -> ms >= 0);

        JsonNode second = documents.get(1);
        assertThat(second.get("Replied").asInt()).isEqualTo(1);
        assertThat(second.get("Coalesced").asInt()).isEqualTo(1);
        assertThat(second.get("SkippedAlreadyAnswered").asInt()).isEqualTo(1);
        assertThat(second.get("RepliesDelivered").asInt()).isEqualTo(1);
        assertThat(second.get("Records").asInt()).isEqualTo(3);
    }

    @Test
    void shouldNeverLogMessageOrReplyTexts_atInfoOrDebug() {
        String text = "je m'appelle Camille et j'habite rue Oberkampf";
        for (String level : List.of("INFO", "DEBUG")) {
            Capture levelLog = new Capture();
            Capture sink = new Capture();
            RealRedis.flush();
            try (ReplyGuardHandler handler = Containers.start(Containers.env("LOG_LEVEL", level), Clock.systemUTC(), levelLog, sink)) {
                handler.handleRequest(Sqs.event(Sqs.record("p1", Sqs.job("m-priv", "msg-1", text), 1)), null);
            }
            String reply = sink.jsonLines().getFirst().get("reply").asText();
            assertThat(levelLog.outcomes()).containsExactly("REPLIED");
            assertThat(levelLog.text()).doesNotContain(text).doesNotContain("Oberkampf").doesNotContain(reply);
            assertThat(levelLog.records().getFirst().has("messageSha256")).isEqualTo(level.equals("DEBUG"));
        }
    }

    @Test
    void shouldLogOnlyWarnings_whenLogLevelIsWarn() {
        try (ReplyGuardHandler handler = Containers.start(Containers.env("LOG_LEVEL", "WARN"), Clock.systemUTC(), log, replies)) {
            handler.handleRequest(Sqs.event(
                    Sqs.record("w1", Sqs.job("m-warn", "msg-1", "salut"), 1),
                    Sqs.record("w2", "not json", 1)), null);
        }
        assertThat(log.records()).singleElement().satisfies(line -> {
            assertThat(line.get("level").asText()).isEqualTo("WARN");
            assertThat(line.get("outcome").asText()).isEqualTo("INVALID");
            assertThat(line.get("timestamp").asText()).endsWith("Z");
            assertThat(line.get("message").asText()).isEqualTo("record invalid");
        });
        assertThat(log.metrics()).hasSize(1);
        assertThat(replies.jsonLines()).hasSize(1);
    }

    private static List<Double> values(JsonNode metric) {
        List<Double> values = new ArrayList<>();
        if (metric.isArray()) {
            metric.forEach(v -> values.add(v.asDouble()));
        } else {
            values.add(metric.asDouble());
        }
        return values;
    }
}
