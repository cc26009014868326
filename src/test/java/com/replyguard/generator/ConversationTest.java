package com.replyguard.generator;

import com.replyguard.core.Job;
import com.replyguard.core.Job.Turn;
import com.replyguard.core.Job.Turn.Role;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ConversationTest {

    private static Job job(String message, String persona, Turn... history) {
        return new Job("m", "id", "sqs", 1, message, null, List.of(history), persona);
    }

    @Test
    void shouldAlternateRoles_andEndWithTheUser_whenTheHistoryRepeatsARole() {
        Conversation c = Conversation.of(job("et toi ?", "Léa",
                new Turn(Role.USER, "salut"), new Turn(Role.USER, "ça va ?"),
                new Turn(Role.ASSISTANT, "oui"), new Turn(Role.ASSISTANT, "et toi ?"),
                new Turn(Role.USER, "bien")), List.of("et toi ?"), 20);

        assertThat(c.turns()).containsExactly(
                new Conversation.Turn(true, "salut\nça va ?"),
                new Conversation.Turn(false, "oui\net toi ?"),
                new Conversation.Turn(true, "bien\net toi ?"));
    }

    @Test
    void shouldMoveTheBotsOpening_intoTheSystemPrompt_whenTheHistoryStartsWithTheBot() {
        Conversation c = Conversation.of(job("hello", null, new Turn(Role.ASSISTANT, "Salut ! 👋")), List.of("hello"), 20);

        assertThat(c.turns()).containsExactly(new Conversation.Turn(true, "hello"));
        assertThat(c.system()).contains(Conversation.DEFAULT_PERSONA).endsWith("You opened the conversation with: Salut ! 👋");
    }

    @Test
    void shouldNotRepeatTheMessage_whenTheBridgeAlreadyPutItInTheHistory() {
        Conversation c = Conversation.of(job("tu fais quoi ?", "Léa",
                new Turn(Role.ASSISTANT, "hey"), new Turn(Role.USER, "coucou"), new Turn(Role.USER, "tu fais quoi ?")),
                List.of("tu fais quoi ?"), 20);

        assertThat(c.turns()).containsExactly(new Conversation.Turn(true, "coucou\ntu fais quoi ?"));
    }

    @Test
    void shouldKeepTheMessage_whenTheLastHistoryTurnOnlyEndsWithTheSameWords() {
        Conversation c = Conversation.of(job("ok", "Léa", new Turn(Role.USER, "c'est ok")), List.of("ok"), 20);

        assertThat(c.turns()).containsExactly(new Conversation.Turn(true, "c'est ok\nok"));
    }

    @Test
    void shouldKeepOnlyTheLatestTurns_andDropBlankOnes() {
        Conversation c = Conversation.of(job("q", "Léa",
                new Turn(Role.USER, "old"), new Turn(Role.ASSISTANT, "  "), new Turn(Role.ASSISTANT, "a1"),
                new Turn(Role.USER, "u2"), new Turn(Role.ASSISTANT, "a2")), List.of("q"), 2);

        assertThat(c.turns()).containsExactly(new Conversation.Turn(true, "u2"), new Conversation.Turn(false, "a2"),
                new Conversation.Turn(true, "q"));
    }
}
