package com.replyguard.testing;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The contract's JSON Schemas ({@code docs/*.schema.json}, JSON Schema 2020-12), checked with a
 * validator independent of the worker's code (networknt, on its own Jackson), formats asserted.
 */
public final class Schemas {

    public static final Path JOB = Path.of("docs/job.schema.json");
    public static final Path REPLY = Path.of("docs/reply.schema.json");

    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    /** The contract's reading of a body: one JSON text, nothing after it, member names unique. */
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private Schemas() {
    }

    public static Schema load(Path file) {
        try {
            return REGISTRY.getSchema(Files.newInputStream(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @return why {@code json} does not satisfy the schema (empty when it does); a text that is not
     *         one JSON value with unique member names is refused before the schema
     */
    public static List<String> errors(Schema schema, String json) {
        if (json == null) {
            return List.of("no JSON text");
        }
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (JacksonException e) {
            return List.of("not one JSON text with unique member names: " + e.getOriginalMessage());
        }
        if (node == null || node.isMissingNode()) {
            return List.of("no JSON text");
        }
        return schema.validate(node, context -> context.executionConfig(config -> config.formatAssertionsEnabled(true)))
                .stream().map(Object::toString).toList();
    }
}
