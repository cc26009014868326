package com.replyguard.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.replyguard.fleet.Traffic.Kind;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Judges a run by what a receiver sees, and by nothing the worker says of itself. Deliveries are
 * deduplicated on {@code replyId} (the {@code Idempotency-Key}), as a real receiver would; a
 * delivery without one counts as a reply of its own.
 *
 * <ul>
 *   <li>lost: a message that is not a repeat, answered by no delivery — neither its own nor one
 *       answering a re-send of it (a repeat the user typed later, which the guard may answer in its
 *       place) — and not in the DLQ;</li>
 *   <li>doubled: a message answered by two or more distinct replies;</li>
 *   <li>duplicates without dedup: a message a receiver that does not deduplicate saw answered twice or more;</li>
 *   <li>repeats answered separately: a repeat (a reworded re-send, its own messageId) with a reply
 *       of its own: allowed (the similarity window is {@code GUARD_TTL_SECONDS}), counted.</li>
 * </ul>
 */
final class Checker {

    /** A line a container wrote about a record, on the run's clock. */
    record LogLine(String container, long atMs, JsonNode node) {
        static Optional<LogLine> parse(String container, String line, Timeline timeline) {
            if (!line.startsWith("{")) {
                return Optional.empty();
            }
            try {
                JsonNode node = FleetRun.tree(line);
                if (!node.has("messageId") && !node.has("sqsMessageId")) {
                    return Optional.empty();
                }
                long at = node.hasNonNull("timestamp") ? timeline.fromWall(Instant.parse(node.get("timestamp").asText()).toEpochMilli()) : 0;
                return Optional.of(new LogLine(container, at, node));
            } catch (IOException | DateTimeParseException e) {
                return Optional.empty();
            }
        }

        String describe() {
            JsonNode n = node;
            StringBuilder text = new StringBuilder();
            text.append(n.path("outcome").asText(n.path("message").asText("log")));
            for (String field : new String[] {"sqsMessageId", "receiveCount", "holderMessageId", "inReplyTo", "replyIds", "retryAfterMs", "error"}) {
                if (n.has(field)) {
                    text.append(' ').append(field).append('=').append(n.get(field).isTextual() ? n.get(field).asText() : n.get(field).toString());
                }
            }
            return text.toString();
        }
    }

    /** A message the dead-letter queue holds at the end, with why, from the last outcome logged for it. */
    record DeadLetter(String sqsMessageId, String messageId, String reason) {
        DeadLetter(String sqsMessageId, String messageId) {
            this(sqsMessageId, messageId, null);
        }
    }

    /** One message's ground truth. */
    record Verdict(Traffic.Message message, long sentAtMs, int replies, int deliveries, long firstReplyMs, boolean dlq,
                   String verdict) {
    }

    private Checker() {
    }

    static FleetResult judge(FleetSettings settings, Traffic traffic, Map<String, Long> sentAt, List<Receiver.Delivery> seen,
                             List<DeadLetter> dlq, List<LogLine> lines, List<String> faults, List<Timeline.Event> events,
                             int unsettled, int invocations, long setUpMs, long endedAtMs) {
        Map<String, Set<String>> replies = new HashMap<>();
        Map<String, Integer> deliveries = new HashMap<>();
        Map<String, Long> firstReply = new HashMap<>();
        for (int i = 0; i < seen.size(); i++) {
            Receiver.Delivery delivery = seen.get(i);
            String key = delivery.replyId() != null ? delivery.replyId() : "delivery-" + i;
            for (String id : delivery.inReplyTo()) {
                replies.computeIfAbsent(id, k -> new HashSet<>()).add(key);
                deliveries.merge(id, 1, Integer::sum);
                firstReply.merge(id, delivery.atMs(), Math::min);
            }
        }
        Map<String, LogLine> lastOutcome = new HashMap<>();
        for (LogLine line : lines) {
            if (line.node().has("outcome") && line.node().has("sqsMessageId")) {
                lastOutcome.merge(line.node().get("sqsMessageId").asText(), line, (a, b) -> b.atMs() >= a.atMs() ? b : a);
            }
        }
        List<DeadLetter> letters = new ArrayList<>();
        Set<String> inDlq = new HashSet<>();
        for (DeadLetter letter : dlq) {
            LogLine last = lastOutcome.get(letter.sqsMessageId());
            letters.add(new DeadLetter(letter.sqsMessageId(), letter.messageId(), last == null
                    ? "no outcome logged: its container died or timed out on every receive" : last.describe()));
            inDlq.add(letter.messageId());
        }
        List<Verdict> verdicts = new ArrayList<>();
        for (Traffic.Message message : traffic.messages()) {
            String id = message.messageId();
            int distinct = replies.getOrDefault(id, Set.of()).size();
            boolean dead = inDlq.contains(id);
            String verdict;
            if (distinct >= 2) {
                verdict = "doubled";
            } else if (message.kind() == Kind.REPEAT) {
                Set<String> own = replies.getOrDefault(id, Set.of());
                if (distinct == 1) {
                    verdict = replies.getOrDefault(message.repeatOf(), Set.of()).containsAll(own)
                            ? "repeat covered by its original's reply" : "repeat answered separately";
                } else {
                    verdict = dead ? "repeat in the DLQ" : "repeat skipped";
                }
            } else if (distinct == 1) {
                verdict = "answered";
            } else if (answeredRepeat(traffic, id, replies)) {
                // the user asked it again, reworded, and that re-send was answered: one reply to the question
                verdict = "answered by the reply to its repeat";
            } else {
                verdict = dead ? "in the DLQ" : "lost";
            }
            long sent = sentAt.getOrDefault(id, message.sentAtMs());
            verdicts.add(new Verdict(message, sent, distinct, deliveries.getOrDefault(id, 0),
                    firstReply.getOrDefault(id, -1L), dead, verdict));
        }
        Map<String, Set<String>> burstReplies = new LinkedHashMap<>();
        for (Traffic.Message message : traffic.messages()) {
            if (message.burst() != null) {
                burstReplies.computeIfAbsent(message.burst(), k -> new HashSet<>())
                        .addAll(replies.getOrDefault(message.messageId(), Set.of()));
            }
        }
        Map<Integer, Integer> perBurst = new TreeMap<>();
        burstReplies.values().forEach(r -> perBurst.merge(r.size(), 1, Integer::sum));
        List<String> sequences = new ArrayList<>();
        for (Verdict v : verdicts) {
            if (v.verdict().equals("lost") || v.verdict().equals("doubled")) {
                sequences.add(sequence(v, seen, lines, events));
            }
        }
        // what went wrong in the harness itself: a container that did not start, a poller's error
        List<String> incidents = events.stream()
                .filter(e -> e.text().startsWith("container failed its init") || e.text().startsWith("poller:"))
                .map(e -> e.atMs() + " ms " + e.source() + ": " + e.text()).toList();
        return new FleetResult(settings, verdicts, letters, perBurst, faults, sequences, incidents, unsettled, invocations,
                seen.size(), setUpMs, endedAtMs);
    }

    /** What happened to one message, in time order: its sends, the lines about it, its deliveries, the faults near it. */
    /** Whether a later re-send of this message (a repeat of it) was answered. */
    private static boolean answeredRepeat(Traffic traffic, String messageId, Map<String, Set<String>> replies) {
        return traffic.messages().stream().anyMatch(m -> m.kind() == Kind.REPEAT && messageId.equals(m.repeatOf())
                && !replies.getOrDefault(m.messageId(), Set.of()).isEmpty());
    }

    private static String sequence(Verdict v, List<Receiver.Delivery> seen, List<LogLine> lines, List<Timeline.Event> events) {
        String id = v.message().messageId();
        List<Map.Entry<Long, String>> steps = new ArrayList<>();
        steps.add(Map.entry(v.sentAtMs(), "traffic: sent (" + v.message().kind().name().toLowerCase()
                + (v.message().copies() > 1 ? ", the bridge enqueues it twice" : "") + ")"));
        long last = v.sentAtMs();
        Set<String> records = new HashSet<>();
        for (LogLine line : lines) {
            if (id.equals(line.node().path("messageId").asText()) || line.node().path("inReplyTo").toString().contains("\"" + id + "\"")) {
                steps.add(Map.entry(line.atMs(), line.container() + ": " + line.describe()));
                records.add(line.node().path("sqsMessageId").asText());
                last = Math.max(last, line.atMs());
            }
        }
        for (Receiver.Delivery d : seen) {
            if (d.inReplyTo().contains(id)) {
                steps.add(Map.entry(d.atMs(), "receiver: reply " + d.replyId() + " from " + d.container() + " for " + d.inReplyTo()));
                last = Math.max(last, d.atMs());
            }
        }
        long from = v.sentAtMs() - 1_000;
        long to = last + 1_000;
        for (Timeline.Event e : events) {
            if (e.atMs() >= from && e.atMs() <= to && !e.source().equals("traffic")) {
                steps.add(Map.entry(e.atMs(), e.source() + ": " + e.text()));
            }
        }
        steps.sort(Comparator.comparingLong(Map.Entry::getKey));
        StringBuilder text = new StringBuilder(v.verdict() + " " + v.message().matchId() + " / " + id + "\n");
        for (Map.Entry<Long, String> step : steps) {
            text.append(String.format("    %7d ms  %s%n", step.getKey(), step.getValue()));
        }
        return text.toString();
    }
}
