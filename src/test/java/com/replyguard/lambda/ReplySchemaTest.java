package com.replyguard.lambda;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import com.replyguard.testing.Capture;
import com.replyguard.testing.RealRedis;
import com.replyguard.testing.Schemas;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/reply.schema.json against what the worker really delivers: every sample event run through
 * the handler (a real Redis, the stdout sink: the reply's fields after Lambda's log fields
 * {@code timestamp} and {@code level}, which the schema lets a line carry), each reply validated.
 */
class ReplySchemaTest {

    private static final Schema REPLY_SCHEMA = Schemas.load(Schemas.REPLY);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldDescribeEveryReplyTheWorkerDelivers_forEverySampleEvent() throws Exception {
        RealRedis.flush();
        PojoSerializer<SQSEvent> serializer = LambdaEventSerializers.serializerFor(SQSEvent.class, getClass().getClassLoader());
        Capture log = new Capture();
        Capture replies = new Capture();
        try (ReplyGuardHandler handler = Containers.start(Containers.env(), Clock.systemUTC(), log, replies);
             Stream<Path> files = Files.list(Path.of("events"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json") && !f.endsWith("env.json")).sorted().toList()) {
                try (InputStream in = Files.newInputStream(file)) {
                    handler.handleRequest(serializer.fromJson(in), null);
                }
            }
        }
        List<String> delivered = replies.text().lines().filter(l -> !l.isBlank()).toList();
        assertThat(delivered).as("replies of the seven sample events").hasSizeGreaterThanOrEqualTo(7);
        for (String reply : delivered) {
            assertThat(Schemas.errors(REPLY_SCHEMA, reply)).as(reply).isEmpty();
        }
    }

    @Test
    void shouldAcceptItsExample_andRefuseAReplyWithoutItsRequiredFields() throws Exception {
        JsonNode example = JSON.readTree(Schemas.REPLY.toFile()).get("examples").get(0);
        assertThat(Schemas.errors(REPLY_SCHEMA, example.toString())).isEmpty();
        for (String field : List.of("replyId", "matchId", "inReplyTo", "reply", "generatedAt")) {
            ObjectNode without = example.deepCopy();
            without.remove(field);
            assertThat(Schemas.errors(REPLY_SCHEMA, without.toString())).as("without " + field).isNotEmpty();
        }
        ObjectNode notAUuid = example.deepCopy();
        notAUuid.put("replyId", "reply-1");
        assertThat(Schemas.errors(REPLY_SCHEMA, notAUuid.toString())).as("replyId is a UUID").isNotEmpty();
        ObjectNode noneAnswered = example.deepCopy();
        noneAnswered.putArray("inReplyTo");
        assertThat(Schemas.errors(REPLY_SCHEMA, noneAnswered.toString())).as("a reply answers at least one message").isNotEmpty();
        ObjectNode empty = example.deepCopy();
        empty.put("reply", "");
        assertThat(Schemas.errors(REPLY_SCHEMA, empty.toString())).as("an empty reply").isNotEmpty();
        ObjectNode notADate = example.deepCopy();
        notADate.put("generatedAt", "hier");
        assertThat(Schemas.errors(REPLY_SCHEMA, notADate.toString())).as("generatedAt is a date-time").isNotEmpty();
        ObjectNode extra = example.deepCopy();
        extra.put("model", "haiku");
        assertThat(Schemas.errors(REPLY_SCHEMA, extra.toString())).as("unknown fields are allowed: receivers ignore them").isEmpty();
    }
}
