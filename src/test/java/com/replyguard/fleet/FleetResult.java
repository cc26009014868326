package com.replyguard.fleet;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** What one fleet run came to: the counts of the table, and the ground truth behind them. */
public record FleetResult(FleetSettings settings, List<Checker.Verdict> verdicts, List<Checker.DeadLetter> deadLetters,
                          Map<Integer, Integer> repliesPerBurst, List<String> faults, List<String> sequences,
                          List<String> incidents,
                          int unsettled, int invocations, int deliveries, long setUpMs, long durationMs) {

    public int messages() {
        return verdicts.size();
    }

    public long lost() {
        return count("lost");
    }

    public long doubled() {
        return count("doubled");
    }

    /** Messages a receiver that does not deduplicate on replyId saw answered more than once. */
    public long duplicatesWithoutDedup() {
        return verdicts.stream().filter(v -> v.deliveries() >= 2).count();
    }

    public long repeatsAnsweredSeparately() {
        return count("repeat answered separately");
    }

    public long repeats() {
        return verdicts.stream().filter(v -> v.message().kind() == Traffic.Kind.REPEAT).count();
    }

    /** Milliseconds from a message's first send to the first reply that answers it, at this percentile. */
    public long latencyPercentile(double percentile) {
        long[] times = verdicts.stream().filter(v -> v.firstReplyMs() >= 0 && v.message().kind() != Traffic.Kind.REPEAT)
                .mapToLong(v -> v.firstReplyMs() - v.sentAtMs()).sorted().toArray();
        if (times.length == 0) {
            return -1;
        }
        int index = (int) Math.ceil(percentile / 100 * times.length) - 1;
        return times[Math.max(0, Math.min(times.length - 1, index))];
    }

    private long count(String verdict) {
        return verdicts.stream().filter(v -> v.verdict().equals(verdict)).count();
    }

    /** The table's row: | seed | faults | build | messages | lost | doubled | w/o dedup | repeats apart | DLQ | unsettled | p50 | p99 | faults |. */
    public String row() {
        return String.format("| %d | %s | %s | %d | %d | %d | %d | %d of %d | %d | %d | %d | %d | %d |",
                settings.seed(), settings.faultsName(), settings.mode().label(), messages(), lost(), doubled(),
                duplicatesWithoutDedup(), repeatsAnsweredSeparately(), repeats(), deadLetters.size(), unsettled,
                latencyPercentile(50), latencyPercentile(99), faults.size());
    }

    public static String header() {
        return "| seed | faults | build | messages | lost | doubled | duplicates w/o dedup | repeats answered apart | DLQ | unsettled | p50 ms | p99 ms | faults injected |\n"
                + "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|";
    }

    /** One line: the figures the test and the bench print. */
    public String summary() {
        return String.format("%s seed %d faults %s: %d messages, %d lost, %d doubled, %d duplicates without dedup, "
                        + "%d of %d repeats answered separately, %d in the DLQ, %d unsettled, p50/p99 %d/%d ms, "
                        + "%d faults, %d invocations, %d deliveries, set-up %.1f s, run %.1f s",
                settings.mode().label(), settings.seed(), settings.faultsName(), messages(), lost(), doubled(),
                duplicatesWithoutDedup(), repeatsAnsweredSeparately(), repeats(), deadLetters.size(), unsettled,
                latencyPercentile(50), latencyPercentile(99), faults.size(), invocations, deliveries, setUpMs / 1000.0,
                durationMs / 1000.0);
    }

    /** The details under the table: faults, DLQ, bursts, and the sequence of events of every message not answered once. */
    public String details() {
        StringBuilder text = new StringBuilder();
        text.append("#### ").append(settings.mode().label()).append(", seed ").append(settings.seed())
                .append(", faults ").append(settings.faultsName()).append("\n\n");
        text.append(summary()).append(".\n\n");
        text.append("Replies per burst: ").append(repliesPerBurst.isEmpty() ? "no burst" : repliesPerBurst.entrySet().stream()
                .map(e -> e.getKey() + " " + (e.getKey() == 1 ? "reply" : "replies") + ": " + e.getValue())
                .collect(Collectors.joining(", "))).append(".\n\n");
        if (!faults.isEmpty()) {
            text.append("Faults injected:\n");
            faults.forEach(f -> text.append("- ").append(f).append('\n'));
            text.append('\n');
        }
        if (!incidents.isEmpty()) {
            text.append("In the harness (times before 0 are the set-up):\n");
            incidents.forEach(i -> text.append("- ").append(i).append('\n'));
            text.append('\n');
        }
        if (!deadLetters.isEmpty()) {
            text.append("In the dead-letter queue:\n");
            deadLetters.forEach(d -> text.append("- ").append(d.messageId()).append(" (SQS ").append(d.sqsMessageId())
                    .append("): ").append(d.reason()).append('\n'));
            text.append('\n');
        }
        if (!sequences.isEmpty()) {
            text.append("Messages lost or doubled, with their sequence of events:\n\n```\n");
            sequences.forEach(text::append);
            text.append("```\n\n");
        }
        return text.toString();
    }

    public static String csvHeader() {
        return "build,seed,faults,matchId,messageId,kind,burst,repeatOf,copies,sentAtMs,replies,deliveries,firstReplyMs,dlq,verdict";
    }

    /** The ground truth, a row per message. */
    public List<String> csv() {
        return verdicts.stream().map(v -> String.join(",", Arrays.asList(settings.mode().label(),
                Long.toString(settings.seed()), settings.faultsName(), v.message().matchId(), v.message().messageId(),
                v.message().kind().name().toLowerCase(), nullToEmpty(v.message().burst()), nullToEmpty(v.message().repeatOf()),
                Integer.toString(v.message().copies()), Long.toString(v.sentAtMs()), Integer.toString(v.replies()),
                Integer.toString(v.deliveries()), Long.toString(v.firstReplyMs()), Boolean.toString(v.dlq()), v.verdict())))
                .toList();
    }

    private static String nullToEmpty(String text) {
        return text == null ? "" : text;
    }
}
