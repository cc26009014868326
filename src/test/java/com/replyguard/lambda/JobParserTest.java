package com.replyguard.lambda;

import com.replyguard.core.Job;
import com.replyguard.testing.Sqs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobParserTest {

    private final JobParser parser = new JobParser(4000);

    private Job parse(String body) throws JobParser.InvalidJobException {
        return parser.parse(Sqs.record("sqs-1", body, 3));
    }

    @Test
    void shouldReadTheSpecJob() throws Exception {
        Job job = parse("{\"matchId\": \"match-42\", \"messageId\": \"msg-1001\", \"userMessage\": \"tu fais quoi?\","
                + " \"sentAt\": \"2026-11-29T14:27:10Z\", \"history\": [{\"role\": \"assistant\", \"text\": \"Salut !\"},"
                + " {\"role\": \"user\", \"text\": \"hello\"}], \"persona\": \"Léa, 27 ans\"}");
        assertThat(job.matchId()).isEqualTo("match-42");
        assertThat(job.messageId()).isEqualTo("msg-1001");
        assertThat(job.sqsMessageId()).isEqualTo("sqs-1");
        assertThat(job.receiveCount()).isEqualTo(3);
        assertThat(job.sentAt()).isEqualTo(Instant.parse("2026-11-29T14:27:10Z"));
        assertThat(job.history()).extracting(Job.Turn::role).containsExactly(Job.Turn.Role.ASSISTANT, Job.Turn.Role.USER);
        assertThat(job.persona()).isEqualTo("Léa, 27 ans");
    }

    @Test
    void shouldAcceptSnakeCaseAliases_andFallBackToTheSqsMessageId() throws Exception {
        Job job = parse("{\"match_id\": \"m\", \"user_msg\": \"salut\"}");
        assertThat(job.matchId()).isEqualTo("m");
        assertThat(job.userMessage()).isEqualTo("salut");
        assertThat(job.messageId()).isEqualTo("sqs-1");
        assertThat(parse("{\"match_id\": \"m\", \"message_id\": \"x\", \"user_msg\": \"salut\"}").messageId()).isEqualTo("x");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "not json at all|body is not valid JSON",
            "[1,2]|body must be a JSON object, got array",
            "{\"userMessage\": \"salut\"}|matchId is missing",
            "{\"matchId\": \"m\"}|userMessage is missing",
            "{\"matchId\": \"  \", \"userMessage\": \"salut\"}|matchId is blank",
            "{\"matchId\": 42, \"userMessage\": \"salut\"}|matchId must be a string, got number",
            "{\"matchId\": \"m\", \"userMessage\": [\"salut\"]}|userMessage must be a string, got array",
            "{\"matchId\": \"m\\nx\", \"userMessage\": \"salut\"}|matchId contains control characters",
            "{\"matchId\": \"m\", \"userMessage\": \"a\\u0000b\"}|userMessage contains a null character",
            "{\"matchId\": \"m\", \"userMessage\": \"a\\ud800b\"}|userMessage contains an invalid UTF-16 surrogate",
            "{\"matchId\": \"m\", \"userMessage\": \"salut\", \"sentAt\": \"hier\"}|sentAt must be an ISO-8601 instant",
            "{\"matchId\": \"m\", \"userMessage\": \"salut\", \"history\": {}}|history must be an array",
            "{\"matchId\": \"m\", \"userMessage\": \"salut\", \"history\": [{\"role\": \"x\", \"text\": \"t\"}]}|history[0].role must be user or assistant",
    })
    void shouldRejectWithAClearReason_thatNeverQuotesTheText(String body, String reason) {
        assertThatThrownBy(() -> parse(body)).isInstanceOf(JobParser.InvalidJobException.class)
                .hasMessageContaining(reason).hasMessageNotContaining("salut");
    }

    @Test
    void shouldRejectOversizedIdsAndTexts() {
        assertThatThrownBy(() -> parse("{\"matchId\": \"" + "m".repeat(257) + "\", \"userMessage\": \"salut\"}"))
                .hasMessage("matchId has 257 characters, over the limit of 256");
        assertThatThrownBy(() -> parse("{\"matchId\": \"m\", \"userMessage\": \"" + "a".repeat(4001) + "\"}"))
                .hasMessage("userMessage has 4001 characters, over the limit of 4000");
    }

    @Test
    void shouldRejectARecordWithoutBody() {
        assertThatThrownBy(() -> parser.parse(Sqs.record("sqs-1", null, 1))).hasMessage("body is empty");
    }
}
