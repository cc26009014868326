package com.replyguard.local;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's local run, end to end: its own embedded Redis, the runtime's deserialisation, the output. */
class LocalInvokeTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Map<String, String> env, String... args) throws Exception {
        return LocalInvoke.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void shouldStartItsOwnRedis_andShowOutcomesRepliesAndBatchResponse() throws Exception {
        int status = run(Map.of(), "-e", "events/redelivery.json", "-e", "events/redelivery.json",
                "--env-vars", "events/env.json");
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(status).isZero();
        assertThat(printed).contains("started an embedded Redis server at redis://127.0.0.1:")
                .contains("== invocation 1 of 2").contains("== invocation 2 of 2")
                .contains("\"outcome\":\"REPLIED\"").contains("\"outcome\":\"SKIPPED_ALREADY_ANSWERED\"")
                .contains("\"inReplyTo\":[\"msg-4001\"]")
                .contains("{\"batchItemFailures\":[]}");
        assertThat(printed.indexOf("REPLIED")).isLessThan(printed.indexOf("SKIPPED_ALREADY_ANSWERED"));
    }

    @Test
    void shouldListInvalidRecords_inTheBatchResponse() throws Exception {
        assertThat(run(Map.of(), "-e", "events/mixed-valid-invalid.json")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("\"itemIdentifier\":\"167a246d-a715-459c-b195-001f9839ed4d\"");
    }

    @Test
    void shouldReadSamEnvVars_globalParametersThenTheFunctionsOwn() throws Exception {
        assertThat(LocalInvoke.readEnvVars(Path.of("events/env.json")))
                .containsEntry("GENERATOR", "scripted").containsEntry("REPLY_SINK", "stdout");
    }

    @Test
    void shouldExitWithTheVariablesName_whenTheConfigurationIsWrong() throws Exception {
        int status = run(Map.of("QUESTION_SIMILARITY", "1.5"), "-e", "events/one-message.json");
        assertThat(status).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("QUESTION_SIMILARITY must be a number between 0 and 1");
    }

    @Test
    void shouldExplainUsage_whenNoEventIsGiven() throws Exception {
        assertThat(run(Map.of())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("usage: LocalInvoke -e EVENT.json");
    }
}
