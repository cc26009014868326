package com.replyguard.lambda;

import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.replyguard.core.Job;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns an SQS record into a {@link Job}, or says precisely why it cannot — without quoting the
 * body, which holds a user's message. Accepts the camelCase fields of docs/job.schema.json and
 * the bridge's snake_case aliases ({@code match_id}, {@code message_id}, {@code user_msg}).
 */
final class JobParser {

    static final int MAX_ID_CHARS = 256;

    /**
     * Strict reading: two JSON values in one body (a bridge that concatenated two jobs) or a field
     * given twice would otherwise be read silently as one job, the rest dropped. Jackson's stream
     * limits (nesting depth 1000, numbers of 1000 digits) bound the cost of a hostile body.
     */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final int maxMessageChars;

    JobParser(int maxMessageChars) {
        this.maxMessageChars = maxMessageChars;
    }

    Job parse(SQSMessage record) throws InvalidJobException {
        String body = record.getBody();
        if (body == null || body.isBlank()) {
            throw new InvalidJobException("body is empty");
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            // Jackson's own message quotes the body: never pass it on, say what kind of problem it is
            var where = e.getLocation();
            String at = where == null || where.getLineNr() < 0 ? "" : " (line " + where.getLineNr() + ", column " + where.getColumnNr() + ")";
            if (e instanceof StreamConstraintsException) {
                throw new InvalidJobException("body exceeds the JSON limits (nesting depth, number or text length)" + at);
            }
            if (e instanceof MismatchedInputException && String.valueOf(e.getOriginalMessage()).startsWith("Trailing token")) {
                throw new InvalidJobException("body has more data after the JSON object" + at);
            }
            if (String.valueOf(e.getOriginalMessage()).startsWith("Duplicate field")) {
                throw new InvalidJobException("body has a field given twice" + at);
            }
            throw new InvalidJobException("body is not valid JSON" + at);
        }
        if (root == null || !root.isObject()) {
            throw new InvalidJobException("body must be a JSON object, got " + (root == null ? "nothing" : root.getNodeType().name().toLowerCase(Locale.ROOT)));
        }
        String matchId = requiredText(root, "matchId", "match_id");
        checkId("matchId", matchId);
        String userMessage = requiredText(root, "userMessage", "user_msg");
        if (userMessage.length() > maxMessageChars) {
            throw new InvalidJobException("userMessage has " + userMessage.length() + " characters, over the limit of " + maxMessageChars);
        }
        checkText("userMessage", userMessage);
        String messageId = optionalText(root, "messageId", "message_id");
        if (messageId == null) {
            messageId = record.getMessageId();
            if (messageId == null || messageId.isBlank()) {
                throw new InvalidJobException("messageId is missing and the SQS record has no messageId");
            }
        }
        checkId("messageId", messageId);
        return new Job(matchId, messageId, record.getMessageId(), receiveCount(record), userMessage,
                sentAt(root), history(root), optionalText(root, "persona"));
    }

    private static String requiredText(JsonNode root, String name, String alias) throws InvalidJobException {
        String value = optionalText(root, name, alias);
        if (value == null) {
            throw new InvalidJobException(name + " is missing");
        }
        return value;
    }

    /**
     * The field's text, null when absent or JSON null; a blank string or a non-string is invalid, and
     * so are the camelCase name and its snake_case alias both given with different values.
     */
    private static String optionalText(JsonNode root, String... names) throws InvalidJobException {
        String found = null;
        String foundName = null;
        for (String name : names) {
            JsonNode node = root.get(name);
            if (node == null || node.isNull()) {
                continue;
            }
            if (!node.isTextual()) {
                throw new InvalidJobException(names[0] + " must be a string, got " + node.getNodeType().name().toLowerCase(Locale.ROOT));
            }
            if (node.asText().isBlank()) {
                throw new InvalidJobException(names[0] + " is blank");
            }
            if (found == null) {
                found = node.asText();
                foundName = name;
            } else if (!found.equals(node.asText())) {
                throw new InvalidJobException(foundName + " and " + name + " are both given, with different values");
            }
        }
        return found;
    }

    private static void checkId(String name, String value) throws InvalidJobException {
        if (value.length() > MAX_ID_CHARS) {
            throw new InvalidJobException(name + " has " + value.length() + " characters, over the limit of " + MAX_ID_CHARS);
        }
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidJobException(name + " contains control characters");
        }
        checkText(name, value);
    }

    /** Lone surrogates cannot be encoded as UTF-8: they would be mangled on the way to Redis and the LLM. */
    private static void checkText(String name, String value) throws InvalidJobException {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new InvalidJobException(name + " contains an invalid UTF-16 surrogate");
            } else if (c == '\0') {
                throw new InvalidJobException(name + " contains a null character");
            }
        }
    }

    private static Instant sentAt(JsonNode root) throws InvalidJobException {
        String text = optionalText(root, "sentAt", "sent_at");
        if (text == null) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new InvalidJobException("sentAt must be an ISO-8601 instant such as 2026-11-29T14:27:10Z");
        }
    }

    private static List<Job.Turn> history(JsonNode root) throws InvalidJobException {
        JsonNode history = root.get("history");
        if (history == null || history.isNull()) {
            return List.of();
        }
        if (!history.isArray()) {
            throw new InvalidJobException("history must be an array");
        }
        List<Job.Turn> turns = new ArrayList<>();
        for (int i = 0; i < history.size(); i++) {
            JsonNode turn = history.get(i);
            JsonNode role = turn.get("role");
            JsonNode text = turn.get("text");
            if (!turn.isObject() || role == null || !role.isTextual() || text == null || !text.isTextual()) {
                throw new InvalidJobException("history[" + i + "] must be {\"role\": \"user\"|\"assistant\", \"text\": string}");
            }
            Job.Turn.Role parsed = switch (role.asText().toLowerCase(Locale.ROOT)) {
                case "user" -> Job.Turn.Role.USER;
                case "assistant", "bot" -> Job.Turn.Role.ASSISTANT;
                default -> throw new InvalidJobException("history[" + i + "].role must be user or assistant");
            };
            turns.add(new Job.Turn(parsed, text.asText()));
        }
        return turns;
    }

    private static int receiveCount(SQSMessage record) {
        Map<String, String> attributes = record.getAttributes();
        String count = attributes == null ? null : attributes.get("ApproximateReceiveCount");
        try {
            return count == null ? 1 : Integer.parseInt(count);
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    static final class InvalidJobException extends Exception {
        InvalidJobException(String message) {
            super(message);
        }
    }
}
