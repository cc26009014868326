package com.replyguard.generator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.replyguard.config.ConfigException;
import com.replyguard.core.Job;
import com.replyguard.core.ReplyGenerator;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A stand-in for the LLM, for local runs, tests and the simulator: answers from rules
 * {@code [{"when": "<case-insensitive regex>", "replies": ["…"]}]}. The first rule whose regex is
 * found in one of the messages answers, cycling through its replies; a rule without {@code when}
 * is the fallback. {@code GENERATOR_DELAY_MS} simulates the model's latency.
 */
public final class ScriptedGenerator implements ReplyGenerator {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Rule> rules;
    private final Duration delay;

    ScriptedGenerator(List<Rule> rules, Duration delay) {
        this.rules = List.copyOf(rules);
        this.delay = delay;
    }

    /** @param rulesFile the rules, or {@code null} for the built-in persona */
    public static ScriptedGenerator create(Path rulesFile, Duration delay) {
        try {
            if (rulesFile == null) {
                try (InputStream in = ScriptedGenerator.class.getResourceAsStream("default-rules.json")) {
                    return new ScriptedGenerator(parse(JSON.readTree(in), "built-in rules"), delay);
                }
            }
            return new ScriptedGenerator(parse(JSON.readTree(Files.readAllBytes(rulesFile)), "SCRIPTED_REPLIES"), delay);
        } catch (IOException e) {
            throw new ConfigException("SCRIPTED_REPLIES is not a valid rules file: " + e.getClass().getSimpleName());
        }
    }

    @Override
    public String generate(Job job, List<String> messages, List<String> alreadySaid) throws GenerationException {
        if (!delay.isZero()) {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new GenerationException("interrupted while generating");
            }
        }
        for (Rule rule : rules) {
            if (rule.matches(messages)) {
                return rule.next(alreadySaid);
            }
        }
        throw new GenerationException("no scripted rule matches and there is no fallback rule");
    }

    private static List<Rule> parse(JsonNode root, String source) {
        if (root == null || !root.isArray() || root.isEmpty()) {
            throw new ConfigException(source + " must be a non-empty JSON array of {\"when\", \"replies\"}");
        }
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode node = root.get(i);
            JsonNode replies = node.get("replies");
            if (replies == null || !replies.isArray() || replies.isEmpty()) {
                throw new ConfigException(source + ": rule " + i + " needs a non-empty \"replies\" array");
            }
            List<String> texts = new ArrayList<>();
            replies.forEach(r -> texts.add(r.asText()));
            Pattern when = null;
            if (node.hasNonNull("when")) {
                try {
                    when = Pattern.compile(node.get("when").asText(), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
                } catch (PatternSyntaxException e) {
                    throw new ConfigException(source + ": rule " + i + " has an invalid \"when\" regex");
                }
            }
            rules.add(new Rule(when, texts));
        }
        return rules;
    }

    static final class Rule {
        private final Pattern when;
        private final List<String> replies;
        // Cycles within this container; a stand-in generator may keep this much state.
        private final AtomicInteger next = new AtomicInteger();

        Rule(Pattern when, List<String> replies) {
            this.when = when;
            this.replies = List.copyOf(replies);
        }

        boolean matches(List<String> messages) {
            return when == null || messages.stream().anyMatch(m -> when.matcher(m).find());
        }

        /** The rule's next reply, skipping those just sent when the rule has another (as an LLM told not to repeat would). */
        String next(List<String> alreadySaid) {
            String reply = replies.get(Math.floorMod(next.getAndIncrement(), replies.size()));
            for (int tries = 1; tries < replies.size() && alreadySaid.contains(reply); tries++) {
                reply = replies.get(Math.floorMod(next.getAndIncrement(), replies.size()));
            }
            return reply;
        }
    }
}
