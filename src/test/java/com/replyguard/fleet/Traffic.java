package com.replyguard.fleet;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * The users' side of a fleet run, drawn from the seed: conversations whose users ask distinct
 * questions, send bursts of different messages, repeat themselves with trivial variations, and
 * whose bridge sometimes enqueues a message twice (same {@code messageId}, a new SQS message).
 *
 * <p>Every distinct question carries a token of its own ({@code k17z}) that a scripted rule answers
 * with a reply of its own, so that no two distinct questions look alike to the guard's similarity
 * check and no two replies do either; a repeat keeps its question's token.
 */
public final class Traffic {

    public enum Kind { QUESTION, BURST, REPEAT }

    /** One user message. {@code repeatOf} is the messageId it repeats, {@code burst} the burst it belongs to. */
    public record Message(String matchId, String messageId, String text, Kind kind, String burst, String repeatOf,
                          long sentAtMs, int copies) {
    }

    /** One SQS message to enqueue: a message, or the bridge's second copy of it. */
    public record Send(long atMs, Message message, boolean bridgeCopy) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] SYLLABLES = {"ka", "lo", "mi", "ru", "sen", "ta", "vo", "zi", "pa", "ne", "do",
            "fu", "gra", "bel", "tor", "nim", "sa", "qui", "lem", "or", "phi", "dax", "ul", "bri"};
    private static final String[] VARIATIONS = {"%s", "%s ??", "hey %s", "%s!!", "%s stp", "euh %s"};

    private final List<Message> messages;
    private final List<Send> sends;
    private final String rules;

    private Traffic(List<Message> messages, List<Send> sends, String rules) {
        this.messages = List.copyOf(messages);
        this.sends = List.copyOf(sends);
        this.rules = rules;
    }

    /**
     * @param conversations matches, each with its own user
     * @param seconds       how long the users keep writing
     */
    public static Traffic draw(long seed, int conversations, int seconds) {
        Random random = new Random(seed);
        List<Message> messages = new ArrayList<>();
        List<Send> sends = new ArrayList<>();
        ArrayNode rules = JSON.createArrayNode();
        int questions = 0;
        int bursts = 0;
        for (int c = 0; c < conversations; c++) {
            String match = "fleet-" + seed + "-m" + c;
            List<Message> asked = new ArrayList<>();
            long at = 200 + random.nextInt(2_000);
            int n = 0;
            while (at < seconds * 1_000L) {
                int pick = random.nextInt(100);
                if (pick < 20 && !asked.isEmpty()) {
                    // a repeat of something this user asked, a little reworded
                    Message original = asked.get(random.nextInt(asked.size()));
                    String text = String.format(VARIATIONS[1 + random.nextInt(VARIATIONS.length - 1)], original.text());
                    messages.add(message(match, match + "-" + n++, text, Kind.REPEAT, null, original.messageId(), at));
                } else if (pick < 40) {
                    String burst = match + "-b" + bursts++;
                    int size = 2 + random.nextInt(2);
                    long t = at;
                    for (int i = 0; i < size; i++) {
                        Message m = message(match, match + "-" + n++, question(random, questions, rules), Kind.BURST, burst,
                                null, t);
                        questions++;
                        messages.add(m);
                        asked.add(m);
                        t += 80 + random.nextInt(250);
                    }
                    at = t;
                } else {
                    Message m = message(match, match + "-" + n++, question(random, questions++, rules), Kind.QUESTION, null,
                            null, at);
                    messages.add(m);
                    asked.add(m);
                }
                at += 1_500 + random.nextInt(3_500);
            }
        }
        List<Message> withCopies = new ArrayList<>();
        for (Message m : messages) {
            boolean twice = random.nextInt(100) < 25; // the bridge enqueues it again
            Message counted = new Message(m.matchId(), m.messageId(), m.text(), m.kind(), m.burst(), m.repeatOf(),
                    m.sentAtMs(), twice ? 2 : 1);
            withCopies.add(counted);
            sends.add(new Send(m.sentAtMs(), counted, false));
            if (twice) {
                sends.add(new Send(m.sentAtMs() + 50 + random.nextInt(2_500), counted, true));
            }
        }
        sends.sort(Comparator.comparingLong(Send::atMs));
        rules.addObject().putArray("replies").add("je ne sais pas trop quoi dire, et toi");
        return new Traffic(withCopies, sends, rules.toString());
    }

    private static Message message(String match, String id, String text, Kind kind, String burst, String repeatOf, long at) {
        return new Message(match, id, text, kind, burst, repeatOf, at, 1);
    }

    /** A question no other looks like, and the rule that answers it with a reply no other looks like. */
    private static String question(Random random, int number, ArrayNode rules) {
        String token = "k" + number + "z";
        String text = token + " " + words(random, 5) + " ?";
        ObjectNode rule = rules.addObject();
        rule.put("when", "\\b" + token + "\\b");
        rule.putArray("replies").add(words(random, 8) + ".");
        return text;
    }

    private static String words(Random random, int count) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                text.append(' ');
            }
            int syllables = 2 + random.nextInt(2);
            for (int s = 0; s < syllables; s++) {
                text.append(SYLLABLES[random.nextInt(SYLLABLES.length)]);
            }
        }
        return text.toString();
    }

    public List<Message> messages() {
        return messages;
    }

    public List<Send> sends() {
        return sends;
    }

    /** The scripted generator's rules ({@code SCRIPTED_REPLIES}). */
    public String rules() {
        return rules;
    }

    /** The job's JSON body, as the bridge enqueues it. */
    public static String body(Message message) {
        ObjectNode job = JSON.createObjectNode();
        job.put("matchId", message.matchId());
        job.put("messageId", message.messageId());
        job.put("userMessage", message.text());
        return job.toString();
    }
}
