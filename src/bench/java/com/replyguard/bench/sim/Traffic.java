package com.replyguard.bench.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * The traffic of one run, generated from a seed, with its ground truth: which messages form one
 * "unit" that must be answered exactly once.
 *
 * <p>Times are in world milliseconds (what a real deployment would see); the simulation divides them
 * by the time scale.
 */
public final class Traffic {

    /** How an SQS message comes back once received. */
    public enum Comeback {
        /** not again */
        NONE,
        /** the same SQS message again one visibility timeout after it was received (its deletion was lost) */
        AFTER_VISIBILITY_TIMEOUT,
        /** the same SQS message again while its first job still generates (the generation outlived the visibility timeout) */
        DURING_GENERATION
    }

    /** A user message: what the bridge received. {@code unit} groups a message with its repeats. */
    public record UserMessage(String matchId, String messageId, String text, String unit, long atWorldMs) {
    }

    /** An SQS message the bridge enqueued for a user message. */
    public record Delivery(String sqsId, UserMessage message, long atWorldMs, Comeback comeback) {
    }

    /** One match's traffic. */
    public record Conversation(String matchId, Kind kind, List<UserMessage> messages, List<Delivery> deliveries) {
    }

    /**
     * The ground truth: a unit is something the user said that must be answered exactly once. A
     * question re-sent within 60 s belongs to its original's unit (it must not get its own answer);
     * re-sent after 60 s, it is a unit of its own.
     */
    public record Unit(String id, Kind kind, List<String> messageIds) {
    }

    private final List<Conversation> conversations;
    private final List<Unit> units;

    private Traffic(List<Conversation> conversations, List<Unit> units) {
        this.conversations = List.copyOf(conversations);
        this.units = List.copyOf(units);
    }

    /** Traffic built by hand (tests of the figures). */
    static Traffic of(List<Conversation> conversations, List<Unit> units) {
        return new Traffic(conversations, units);
    }

    public List<Conversation> conversations() {
        return conversations;
    }

    public List<Unit> units() {
        return units;
    }

    public List<Delivery> deliveries() {
        return conversations.stream().flatMap(c -> c.deliveries().stream()).toList();
    }

    public Map<Kind, Integer> conversationsByKind() {
        Map<Kind, Integer> counts = new EnumMap<>(Kind.class);
        conversations.forEach(c -> counts.merge(c.kind(), 1, Integer::sum));
        return counts;
    }

    public static Traffic generate(SimConfig config, Corpus corpus) {
        Random random = new Random(config.seed());
        List<Kind> kinds = config.kindsFor(random);
        List<Conversation> conversations = new ArrayList<>();
        List<Unit> units = new ArrayList<>();
        long window = config.durationWorldSeconds() * 1000L;
        for (int i = 0; i < kinds.size(); i++) {
            String matchId = String.format("m%05d-%s", i, kinds.get(i).key);
            long start = (long) (random.nextDouble() * window);
            conversations.add(conversation(matchId, kinds.get(i), start, config, corpus, random, units));
        }
        return new Traffic(conversations, units);
    }

    private static Conversation conversation(String matchId, Kind kind, long start, SimConfig config, Corpus corpus,
                                             Random random, List<Unit> units) {
        List<UserMessage> messages = new ArrayList<>();
        List<Delivery> deliveries = new ArrayList<>();
        Builder b = new Builder(matchId, kind, random, messages, deliveries, units);
        switch (kind) {
            case SINGLE -> b.deliver(b.message(pick(random, corpus.questions()).text(), start, null), start, Comeback.NONE);
            case BRIDGE -> {
                UserMessage m = b.message(pick(random, corpus.questions()).text(), start, null);
                b.deliver(m, start, Comeback.NONE);
                b.deliver(m, start + uniform(random, 0, config.bridgeDelayMaxWorldMs()), Comeback.NONE);
            }
            case REDELIVERY -> b.deliver(b.message(pick(random, corpus.questions()).text(), start, null), start,
                    Comeback.AFTER_VISIBILITY_TIMEOUT);
            case SLOW -> b.deliver(b.message(pick(random, corpus.questions()).text(), start, null), start,
                    Comeback.DURING_GENERATION);
            case RAPID -> {
                int size = 2 + random.nextInt(4);
                List<Corpus.Line> pool = new ArrayList<>(corpus.questions());
                pool.addAll(corpus.shorts());
                Collections.shuffle(pool, random);
                List<Corpus.Line> texts = new ArrayList<>();
                if (random.nextDouble() < 0.6) {
                    // most bursts open with a short message ("salut", "je sors du boulot")
                    Corpus.Line opener = pick(random, corpus.shorts());
                    texts.add(opener);
                    pool.remove(opener);
                }
                for (Corpus.Line line : pool) {
                    if (texts.size() == size) {
                        break;
                    }
                    texts.add(line);
                }
                long at = start;
                for (int i = 0; i < texts.size(); i++) {
                    if (i > 0) {
                        at += uniform(random, config.rapidGapMinWorldMs(), config.rapidGapMaxWorldMs());
                    }
                    b.deliver(b.message(texts.get(i).text(), at, null), at, Comeback.NONE);
                }
            }
            case REPEAT_WITHIN, REPEAT_AFTER -> {
                Corpus.Line question = pick(random, corpus.questions());
                UserMessage first = b.message(question.text(), start, null);
                b.deliver(first, start, Comeback.NONE);
                long at = start + (kind == Kind.REPEAT_WITHIN
                        ? uniform(random, config.repeatWithinMinWorldMs(), config.repeatWithinMaxWorldMs())
                        : uniform(random, config.repeatAfterMinWorldMs(), config.repeatAfterMaxWorldMs()));
                String again = pick(random, question.resends());
                // within 60 s the re-sent question is the same unit: it must not get its own answer
                b.deliver(b.message(again, at, kind == Kind.REPEAT_WITHIN ? first.unit() : null), at, Comeback.NONE);
            }
            case NEAR_MISS -> {
                Corpus.Line question = pick(random, corpus.questionsWithNearMiss());
                b.deliver(b.message(question.text(), start, null), start, Comeback.NONE);
                long at = start + uniform(random, config.repeatWithinMinWorldMs(), config.repeatWithinMaxWorldMs());
                b.deliver(b.message(corpus.nearMissOf(question).text(), at, null), at, Comeback.NONE);
            }
        }
        return new Conversation(matchId, kind, messages, deliveries);
    }

    /** Builds a conversation's messages, deliveries and units. */
    private record Builder(String matchId, Kind kind, Random random, List<UserMessage> messages,
                           List<Delivery> deliveries, List<Unit> units) {

        /** @param unit the unit this message belongs to, or {@code null} for a new one */
        UserMessage message(String text, long at, String unit) {
            String messageId = matchId + "-msg" + (messages.size() + 1);
            UserMessage message = new UserMessage(matchId, messageId, text, unit == null ? messageId : unit, at);
            messages.add(message);
            if (unit == null) {
                units.add(new Unit(messageId, kind, new ArrayList<>(List.of(messageId))));
            } else {
                units.stream().filter(u -> u.id().equals(unit)).findFirst().orElseThrow().messageIds().add(messageId);
            }
            return message;
        }

        void deliver(UserMessage message, long at, Comeback comeback) {
            deliveries.add(new Delivery(new UUID(random.nextLong(), random.nextLong()).toString(), message, at, comeback));
        }
    }

    private static <T> T pick(Random random, List<T> list) {
        return list.get(random.nextInt(list.size()));
    }

    private static long uniform(Random random, long min, long max) {
        return min + (long) (random.nextDouble() * (max - min));
    }
}
