package com.replyguard.bench.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The original design's figures for one mode, computed from what was delivered against the ground
 * truth, never assumed.
 *
 * <ul>
 *   <li><b>duplicate replies</b>: units (user messages, a question re-sent within 60 s counted with its
 *       original) that appear in the {@code inReplyTo} of two or more delivered replies, over all units;</li>
 *   <li><b>never answered</b>: units in no delivered reply, over all units;</li>
 *   <li><b>replies per rapid sequence</b>: delivered replies answering any message of the sequence;</li>
 *   <li><b>jobs skipped</b>: SQS records that ended without a reply of their own (skipped, coalesced
 *       into another job's reply, or dropped as a duplicate reply), over all records processed;</li>
 *   <li><b>added latency</b>: per record, the time spent waiting on the guard's Redis round trips;</li>
 *   <li><b>Redis commands per job</b>: client commands counted by MONITOR, over records processed.</li>
 * </ul>
 */
public record Figures(Mode mode, int units, int duplicateUnits, int lostUnits, Map<Kind, KindFigures> byKind,
                      int rapidSequences, int rapidReplies, int rapidSingleReply, Map<Integer, Integer> rapidHistogram,
                      int jobs, int skippedJobs, Map<String, Integer> outcomes, int generations, int replies,
                      double guardP50Ms, double guardP99Ms, Map<String, Long> redisCommands,
                      double replyDelayP50Ms, double replyDelayP99Ms, int deadLettered, int retried, int containerErrors) {

    /** Units, duplicated units and unanswered units of one kind of traffic. */
    public record KindFigures(int units, int duplicates, int lost) {
    }

    public double duplicatePercent() {
        return percent(duplicateUnits, units);
    }

    public double lostPercent() {
        return percent(lostUnits, units);
    }

    public double skippedPercent() {
        return percent(skippedJobs, jobs);
    }

    public double repliesPerRapidSequence() {
        return rapidSequences == 0 ? 0 : (double) rapidReplies / rapidSequences;
    }

    /** Client commands per record processed, or -1 when not counted. */
    public double redisCommandsPerJob() {
        if (redisCommands == null || jobs == 0) {
            return -1;
        }
        return (double) redisCommands.values().stream().mapToLong(Long::longValue).sum() / jobs;
    }

    public static Figures compute(Traffic traffic, SimConfig config, Simulation.ModeRun run) {
        // which delivered replies answer each messageId
        Map<String, Set<Integer>> repliesByMessage = new HashMap<>();
        Map<String, Long> firstReplyAt = new HashMap<>();
        for (int i = 0; i < run.replies().size(); i++) {
            Simulation.DeliveredReply reply = run.replies().get(i);
            for (String id : reply.inReplyTo()) {
                repliesByMessage.computeIfAbsent(id, k -> new HashSet<>()).add(i);
                firstReplyAt.merge(id, reply.atNanos(), Math::min);
            }
        }
        Map<String, Traffic.UserMessage> messages = new HashMap<>();
        traffic.conversations().forEach(c -> c.messages().forEach(m -> messages.put(m.messageId(), m)));

        int duplicates = 0;
        int lost = 0;
        Map<Kind, int[]> perKind = new EnumMap<>(Kind.class);
        List<Double> delays = new ArrayList<>();
        for (Traffic.Unit unit : traffic.units()) {
            Set<Integer> answeredBy = new HashSet<>();
            long first = Long.MAX_VALUE;
            for (String id : unit.messageIds()) {
                answeredBy.addAll(repliesByMessage.getOrDefault(id, Set.of()));
                first = Math.min(first, firstReplyAt.getOrDefault(id, Long.MAX_VALUE));
            }
            int[] k = perKind.computeIfAbsent(unit.kind(), x -> new int[3]);
            k[0]++;
            if (answeredBy.size() > 1) {
                duplicates++;
                k[1]++;
            }
            if (answeredBy.isEmpty()) {
                lost++;
                k[2]++;
            } else {
                long askedAt = run.origin() + config.realNanos(messages.get(unit.messageIds().getFirst()).atWorldMs());
                delays.add((first - askedAt) / 1e6);
            }
        }
        Map<Kind, KindFigures> byKind = new EnumMap<>(Kind.class);
        perKind.forEach((kind, k) -> byKind.put(kind, new KindFigures(k[0], k[1], k[2])));

        int sequences = 0;
        int sequenceReplies = 0;
        int singleReply = 0;
        Map<Integer, Integer> histogram = new TreeMap<>();
        for (Traffic.Conversation c : traffic.conversations()) {
            if (c.kind() != Kind.RAPID) {
                continue;
            }
            Set<Integer> replies = new HashSet<>();
            c.messages().forEach(m -> replies.addAll(repliesByMessage.getOrDefault(m.messageId(), Set.of())));
            sequences++;
            sequenceReplies += replies.size();
            if (replies.size() == 1) {
                singleReply++;
            }
            histogram.merge(replies.size(), 1, Integer::sum);
        }

        Map<String, Integer> outcomes = new TreeMap<>();
        List<Double> guard = new ArrayList<>();
        int skipped = 0;
        int generations = 0;
        for (JobRecord job : run.jobs()) {
            outcomes.merge(job.outcome(), 1, Integer::sum);
            guard.add(job.guardMs());
            if (job.skipped()) {
                skipped++;
            }
            generations += job.generations();
        }
        return new Figures(run.mode(), traffic.units().size(), duplicates, lost, byKind, sequences, sequenceReplies,
                singleReply, histogram, run.jobs().size(), skipped, outcomes, generations, run.replies().size(),
                percentile(guard, 50), percentile(guard, 99), run.redisCommands(), percentile(delays, 50),
                percentile(delays, 99), run.deadLettered(), run.retried(), run.containerErrors());
    }

    /** Nearest-rank percentile; 0 for no values. */
    static double percentile(List<Double> values, double p) {
        if (values.isEmpty()) {
            return 0;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int rank = (int) Math.ceil(p / 100 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    private static double percent(int part, int whole) {
        return whole == 0 ? 0 : 100.0 * part / whole;
    }
}
