package com.replyguard.generator;

import com.replyguard.core.Job;

import java.util.ArrayList;
import java.util.List;

/**
 * What an LLM is asked, whatever its API: a system prompt built from the persona, and the
 * conversation as strictly alternating user / assistant turns ending with the user's message(s).
 *
 * <p>Chat APIs (Bedrock Converse with most models, many OpenAI-compatible servers) reject a
 * conversation that starts with the assistant or has two turns of the same role in a row. So
 * consecutive turns of one role are joined, the bot's opening lines (before the user's first turn)
 * go into the system prompt, blank turns are dropped, and only the latest {@code maxHistory}
 * turns are kept. The messages to answer (several when a rapid sequence is coalesced) form the
 * last user turn; a last history turn identical to the first of them is not repeated.
 */
record Conversation(String system, List<Turn> turns) {

    record Turn(boolean user, String text) {
    }

    static final String DEFAULT_PERSONA = "a friendly person in their late twenties";

    static Conversation of(Job job, List<String> messages, int maxHistory) {
        return of(job, messages, List.of(), maxHistory);
    }

    /**
     * @param alreadySaid replies sent moments ago that this one must not repeat: named in the system
     *                    prompt (the duplicate-reply check regenerates once with them)
     */
    static Conversation of(Job job, List<String> messages, List<String> alreadySaid, int maxHistory) {
        List<Job.Turn> history = job.history();
        history = history.subList(Math.max(0, history.size() - maxHistory), history.size());
        List<Turn> turns = new ArrayList<>();
        List<String> opening = new ArrayList<>();
        for (Job.Turn turn : history) {
            if (turn.text() == null || turn.text().isBlank()) {
                continue;
            }
            boolean user = turn.role() == Job.Turn.Role.USER;
            if (turns.isEmpty() && !user) {
                opening.add(turn.text().strip());
            } else {
                append(turns, user, turn.text().strip());
            }
        }
        List<String> toAnswer = new ArrayList<>();
        for (String message : messages) {
            if (message != null && !message.isBlank()) {
                toAnswer.add(message.strip());
            }
        }
        if (toAnswer.isEmpty()) {
            toAnswer.add(job.userMessage().strip());
        }
        if (!turns.isEmpty() && turns.getLast().user() && endsWithLine(turns.getLast().text(), toAnswer.getFirst())) {
            toAnswer.removeFirst(); // the bridge already put the current message in the history
        }
        if (!toAnswer.isEmpty()) {
            append(turns, true, String.join("\n", toAnswer));
        }
        return new Conversation(systemPrompt(job.persona(), opening, alreadySaid), List.copyOf(turns));
    }

    private static boolean endsWithLine(String text, String line) {
        return text.equals(line) || text.endsWith("\n" + line);
    }

    private static void append(List<Turn> turns, boolean user, String text) {
        if (!turns.isEmpty() && turns.getLast().user() == user) {
            Turn last = turns.removeLast();
            turns.add(new Turn(user, last.text() + "\n" + text));
        } else {
            turns.add(new Turn(user, text));
        }
    }

    static String systemPrompt(String persona, List<String> opening) {
        return systemPrompt(persona, opening, List.of());
    }

    static String systemPrompt(String persona, List<String> opening, List<String> alreadySaid) {
        StringBuilder prompt = new StringBuilder()
                .append("You are ").append(persona == null || persona.isBlank() ? DEFAULT_PERSONA : persona.strip())
                .append(". You are chatting with a match on a dating app. Write the next message of this person:")
                .append(" one short, natural chat message (one or two sentences), in the language the match writes in.")
                .append(" If the match sent several messages in a row, answer them together in that one message.")
                .append(" Never say or imply that you are an AI or a bot.");
        if (!opening.isEmpty()) {
            prompt.append("\nYou opened the conversation with: ").append(String.join("\n", opening));
        }
        if (!alreadySaid.isEmpty()) {
            prompt.append("\nYou just sent: ").append(String.join("\n", alreadySaid))
                    .append("\nDo not say it again: answer the new message with something different.");
        }
        return prompt.toString();
    }
}
