package com.replyguard.core;

import com.replyguard.core.ReplyGuard.Admission;
import com.replyguard.core.ReplyGuard.Answer;
import com.replyguard.core.ReplyGuard.Commit;
import com.replyguard.core.ReplyGuard.GuardUnavailableException;
import com.replyguard.similarity.TextSimilarity;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The reply path for the jobs of one match: guard → generate → deduplicate → commit → deliver.
 *
 * <p>Common paths cost at most two guard round trips: {@code admit} before generating, then
 * {@code commit} (or {@code release} when the job stops early). The similarity decisions are made
 * here, on what {@code admit} returned, while the job holds the match's flag: nobody else can
 * answer for the match in between, so deciding outside Redis is not a race.
 *
 * <p>Coalescing (SPEC I2): a different message that arrives while a reply is being generated is
 * handed to the holder instead of being dropped. The holder commits before delivering, and the
 * commit is where it learns of messages handed over meanwhile: it then generates again covering
 * them (bounded rounds), so a rapid sequence gets one reply. Later jobs of the same match in one
 * batch join the first job's reply directly. Committing first means a delivery failure must be
 * rolled back (one more round trip, on the failure path only), and the holder commits only when
 * enough of the invocation is left to deliver.
 */
public final class ReplyPipeline {

    /** Tuning of the pipeline, from the guard settings. */
    public record Policy(double questionSimilarity, double replySimilarity, boolean coalesce, int maxRounds,
                         Duration deliveryReserve) {
    }

    private final ReplyGuard guard;
    private final ReplyGenerator generator;
    private final ReplySink sink;
    private final Policy policy;
    private final Clock clock;

    public ReplyPipeline(ReplyGuard guard, ReplyGenerator generator, ReplySink sink, Policy policy, Clock clock) {
        this.guard = guard;
        this.generator = generator;
        this.sink = sink;
        this.policy = policy;
        this.clock = clock;
    }

    /**
     * Processes the jobs of one match, in batch order.
     *
     * @return one result per job, in the same order
     */
    public List<RecordResult> process(List<Job> jobs, Deadline deadline) {
        Trace[] traces = new Trace[jobs.size()];
        for (int i = 0; i < traces.length; i++) {
            traces[i] = new Trace();
        }
        if (policy.coalesce()) {
            processTogether(jobs, traces, 0, deadline);
        } else {
            for (int i = 0; i < jobs.size(); i++) {
                processTogether(List.of(jobs.get(i)), traces, i, deadline);
            }
        }
        List<RecordResult> results = new ArrayList<>(traces.length);
        for (Trace trace : traces) {
            results.add(trace.result());
        }
        return results;
    }

    /** @param offset index of {@code jobs.get(0)} in {@code traces} */
    private void processTogether(List<Job> jobs, Trace[] traces, int offset, Deadline deadline) {
        Job lead = jobs.getFirst();
        Trace leadTrace = traces[offset];
        Admission admission;
        long start = System.nanoTime();
        try {
            admission = guard.admit(lead, jobs.subList(1, jobs.size()));
        } catch (GuardUnavailableException e) {
            leadTrace.guardNanos += System.nanoTime() - start;
            for (int i = 0; i < jobs.size(); i++) {
                traces[offset + i].error = e.getMessage();
                bypass(jobs.get(i), traces[offset + i]);
            }
            return;
        }
        leadTrace.guardNanos += System.nanoTime() - start;

        switch (admission) {
            case Admission.AlreadyAnswered answered -> {
                for (int i = 0; i < jobs.size(); i++) {
                    traces[offset + i].outcome = Outcome.SKIPPED_ALREADY_ANSWERED;
                }
            }
            case Admission.InProgress inProgress -> {
                for (int i = 0; i < jobs.size(); i++) {
                    joinInFlight(jobs.get(i), traces[offset + i], inProgress, jobs.subList(0, i), deadline);
                }
            }
            case Admission.Granted grant -> answerAsHolder(grant, jobs, traces, offset, deadline);
            case Admission.HandedOver handedOver -> throw new IllegalStateException("admit never hands over");
        }
    }

    /** Another job generates for this match: skip a duplicate of its message, hand any other to it. */
    private void joinInFlight(Job job, Trace trace, Admission.InProgress inProgress, List<Job> earlier, Deadline deadline) {
        trace.holderMessageId = inProgress.holderMessageId();
        if (inProgress.answeredIds().contains(job.messageId())) {
            trace.outcome = Outcome.SKIPPED_ALREADY_ANSWERED;
            return;
        }
        if (job.messageId().equals(inProgress.holderMessageId())
                || earlier.stream().anyMatch(e -> e.messageId().equals(job.messageId()))) {
            trace.outcome = Outcome.SKIPPED_IN_PROGRESS;
            return;
        }
        List<String> inFlight = new ArrayList<>();
        inFlight.add(inProgress.holderQuestion());
        earlier.forEach(e -> inFlight.add(e.userMessage()));
        trace.similarity = highestSimilarity(job.userMessage(), inFlight);
        if (trace.similarity >= policy.questionSimilarity()) {
            trace.outcome = Outcome.SKIPPED_SIMILAR_QUESTION;
            return;
        }
        if (!policy.coalesce()) {
            trace.outcome = Outcome.SKIPPED_IN_PROGRESS;
            return;
        }
        Admission handed;
        long start = System.nanoTime();
        try {
            handed = guard.handOver(job);
        } catch (GuardUnavailableException e) {
            trace.guardNanos += System.nanoTime() - start;
            trace.error = e.getMessage();
            bypass(job, trace);
            return;
        }
        trace.guardNanos += System.nanoTime() - start;
        switch (handed) {
            case Admission.HandedOver over -> {
                trace.outcome = Outcome.COALESCED;
                trace.holderMessageId = over.holderMessageId();
            }
            case Admission.AlreadyAnswered answered -> trace.outcome = Outcome.SKIPPED_ALREADY_ANSWERED;
            case Admission.Granted grant -> {
                // the holder finished in between: this job answers itself
                trace.holderMessageId = null;
                answerAsHolder(grant, List.of(job), new Trace[] {trace}, 0, deadline);
            }
            case Admission.InProgress stillHeld -> trace.outcome = Outcome.SKIPPED_IN_PROGRESS;
        }
    }

    /** This job holds the flag: answer its message, the batch's later ones, and any handed over. */
    private void answerAsHolder(Admission.Granted grant, List<Job> jobs, Trace[] traces, int offset, Deadline deadline) {
        List<Answer> answers = new ArrayList<>();
        List<String> covered = new ArrayList<>(grant.recentQuestions());
        Set<String> ids = new HashSet<>();
        int replier = -1;
        List<Integer> joined = new ArrayList<>();
        for (int i = 0; i < jobs.size(); i++) {
            Job job = jobs.get(i);
            Trace trace = traces[offset + i];
            if (grant.answeredIds().contains(job.messageId())) {
                trace.outcome = Outcome.SKIPPED_ALREADY_ANSWERED;
            } else if (!ids.add(job.messageId())) {
                trace.duplicateOf = true;
            } else {
                trace.similarity = highestSimilarity(job.userMessage(), covered);
                if (trace.similarity >= policy.questionSimilarity()) {
                    trace.outcome = Outcome.SKIPPED_SIMILAR_QUESTION;
                    continue;
                }
                answers.add(Answer.of(job));
                covered.add(job.userMessage());
                if (replier < 0) {
                    replier = offset + i;
                } else {
                    joined.add(offset + i);
                }
            }
        }
        List<HandedOverMessage> handedOver = new ArrayList<>(grant.handedOver());
        handedOver.sort(Comparator.comparingLong(HandedOverMessage::handedOverAt));
        for (HandedOverMessage message : handedOver) {
            if (ids.add(message.messageId())) {
                answers.add(Answer.of(message));
            }
        }
        Trace leadTrace = replier >= 0 ? traces[replier] : traces[offset];
        if (answers.isEmpty()) {
            release(grant, leadTrace);
            finishDuplicates(jobs, traces, offset, true);
            return;
        }
        Job context = jobs.getFirst();
        Reply reply = generateCommitDeliver(grant, context, answers, leadTrace, deadline, false);
        boolean ok = reply != null || leadTrace.dropped;
        if (ok) {
            // messages handed over after the holder's last look get a follow-up reply
            leadTrace.pendingFailure = followUps(grant, context, leadTrace, deadline);
        }
        Outcome success = leadTrace.dropped ? Outcome.DROPPED_DUPLICATE_REPLY : Outcome.REPLIED;
        if (replier >= 0) {
            traces[replier].outcome = ok ? (leadTrace.pendingFailure == null ? success : Outcome.FAILED) : Outcome.FAILED;
            if (leadTrace.pendingFailure != null) {
                traces[replier].error = leadTrace.pendingFailure;
            }
        } else if (!ok || leadTrace.pendingFailure != null) {
            // only handed-over messages were answered and that failed: retry this record to retry them
            Trace trace = traces[offset];
            trace.outcome = Outcome.FAILED;
            trace.error = leadTrace.error != null ? leadTrace.error : leadTrace.pendingFailure;
        }
        for (int index : joined) {
            traces[index].outcome = ok ? Outcome.COALESCED : Outcome.FAILED;
            traces[index].holderMessageId = jobs.get(replier - offset).messageId();
            if (!ok) {
                traces[index].error = "the reply covering this message failed: " + leadTrace.error;
            }
        }
        finishDuplicates(jobs, traces, offset, ok);
    }

    /** A messageId twice in one batch (SQS duplicate delivery): it shares its first copy's fate. */
    private static void finishDuplicates(List<Job> jobs, Trace[] traces, int offset, boolean ok) {
        for (int i = 0; i < jobs.size(); i++) {
            Trace trace = traces[offset + i];
            if (trace.duplicateOf) {
                trace.outcome = ok ? Outcome.SKIPPED_ALREADY_ANSWERED : Outcome.FAILED;
            }
        }
    }

    /**
     * Generates until a commit goes through (bounded rounds), then delivers.
     *
     * @return the delivered reply, or {@code null} when it failed (the trace says why) or was dropped
     *         as a duplicate ({@code trace.dropped})
     */
    private Reply generateCommitDeliver(Admission.Granted grant, Job context, List<Answer> answers, Trace trace,
                                        Deadline deadline, boolean followUp) {
        List<Answer> covering = new ArrayList<>(answers);
        long lastGeneration = 0;
        for (int round = 1; ; round++) {
            Duration reserve = policy.deliveryReserve();
            if (!deadline.allows(reserve.plusNanos(lastGeneration))) {
                trace.error = "not enough time left in the invocation to generate and deliver";
                release(grant, trace);
                return null;
            }
            String text;
            long start = System.nanoTime();
            try {
                text = generator.generate(context, covering.stream().map(Answer::text).toList());
            } catch (ReplyGenerator.GenerationException | RuntimeException e) {
                trace.generateNanos += System.nanoTime() - start;
                trace.error = "generation failed: " + describe(e);
                release(grant, trace);
                return null;
            }
            lastGeneration = System.nanoTime() - start;
            trace.generateNanos += lastGeneration;
            trace.rounds++;
            trace.replyLength = text.length();

            double replyScore = highestSimilarity(text, grant.recentReplies());
            boolean duplicate = !followUp && replyScore >= policy.replySimilarity();
            boolean force = round >= policy.maxRounds() || !deadline.allows(reserve.plusNanos(2 * lastGeneration));
            Commit commit;
            start = System.nanoTime();
            try {
                commit = guard.commit(grant, covering, duplicate ? null : text, force);
            } catch (GuardUnavailableException e) {
                // Fail open: the commit's effect is unknown; a reply is better than none.
                trace.guardNanos += System.nanoTime() - start;
                trace.error = "guard commit failed: " + e.getMessage();
                return deliver(grant, covering, text, null, trace);
            }
            trace.guardNanos += System.nanoTime() - start;
            switch (commit) {
                case Commit.Lost lost -> {
                    trace.error = "the in-progress flag expired during generation (guard TTL shorter than the work)";
                    return null;
                }
                case Commit.Pending pending -> {
                    Set<String> ids = new HashSet<>();
                    covering.forEach(a -> ids.add(a.messageId()));
                    pending.handedOver().stream()
                            .sorted(Comparator.comparingLong(HandedOverMessage::handedOverAt))
                            .filter(m -> ids.add(m.messageId()))
                            .forEach(m -> covering.add(Answer.of(m)));
                }
                case Commit.Committed committed -> {
                    trace.leftover = committed.leftover();
                    if (duplicate) {
                        trace.similarity = replyScore;
                        trace.dropped = true;
                        return null;
                    }
                    return deliver(grant, covering, text, committed, trace);
                }
            }
        }
    }

    private Reply deliver(Admission.Granted grant, List<Answer> covering, String text, Commit.Committed committed,
                          Trace trace) {
        Reply reply = new Reply(grant.matchId(), covering.stream().map(Answer::messageId).toList(), text, clock.instant());
        long start = System.nanoTime();
        try {
            sink.deliver(reply);
        } catch (ReplySink.DeliveryException | RuntimeException e) {
            trace.deliverNanos += System.nanoTime() - start;
            trace.error = "delivery failed: " + describe(e);
            trace.leftover = List.of();
            if (committed != null) {
                start = System.nanoTime();
                try {
                    guard.rollback(grant, committed, covering, text);
                } catch (GuardUnavailableException rollbackFailed) {
                    trace.error += "; guard rollback failed: " + rollbackFailed.getMessage();
                }
                trace.guardNanos += System.nanoTime() - start;
            }
            return null;
        }
        trace.deliverNanos += System.nanoTime() - start;
        trace.inReplyTo.addAll(reply.inReplyTo());
        trace.replies++;
        return reply;
    }

    /** @return null when every leftover was answered, else why not (the record is then retried) */
    private String followUps(Admission.Granted grant, Job context, Trace trace, Deadline deadline) {
        while (!trace.leftover.isEmpty()) {
            List<Answer> answers = trace.leftover.stream()
                    .sorted(Comparator.comparingLong(HandedOverMessage::handedOverAt)).map(Answer::of).toList();
            trace.leftover = List.of();
            boolean dropped = trace.dropped;
            Reply followUp = generateCommitDeliver(grant, context, answers, trace, deadline, true);
            trace.dropped = dropped;
            if (followUp == null) {
                return "follow-up reply for handed-over messages failed: " + trace.error;
            }
        }
        return null;
    }

    private void bypass(Job job, Trace trace) {
        Admission.Granted none = new Admission.Granted(job.matchId(), "", Set.of(), List.of(), List.of(), List.of());
        String text;
        long start = System.nanoTime();
        try {
            text = generator.generate(job, List.of(job.userMessage()));
        } catch (ReplyGenerator.GenerationException | RuntimeException e) {
            trace.generateNanos += System.nanoTime() - start;
            trace.error = "generation failed: " + describe(e);
            trace.outcome = Outcome.FAILED;
            return;
        }
        trace.generateNanos += System.nanoTime() - start;
        trace.rounds++;
        trace.replyLength = text.length();
        trace.outcome = deliver(none, List.of(Answer.of(job)), text, null, trace) == null ? Outcome.FAILED : Outcome.GUARD_BYPASSED;
    }

    private void release(Admission.Granted grant, Trace trace) {
        long start = System.nanoTime();
        try {
            guard.release(grant);
        } catch (GuardUnavailableException e) {
            // The flag expires with its TTL; the retry is delayed by at most that.
            trace.error = (trace.error == null ? "" : trace.error + "; ") + "guard release failed: " + e.getMessage();
        }
        trace.guardNanos += System.nanoTime() - start;
    }

    private static double highestSimilarity(String text, List<String> others) {
        double best = 0;
        for (String other : others) {
            best = Math.max(best, TextSimilarity.score(text, other));
        }
        return best;
    }

    /** The exception's message: adapters keep message and reply text out of their exceptions. */
    private static String describe(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** What happened to one job, filled in as the pipeline goes. */
    private static final class Trace {
        Outcome outcome;
        long guardNanos;
        long generateNanos;
        long deliverNanos;
        double similarity = -1;
        String holderMessageId;
        int replyLength;
        int rounds;
        int replies;
        final List<String> inReplyTo = new ArrayList<>();
        String error;
        boolean duplicateOf;
        boolean dropped;
        List<HandedOverMessage> leftover = List.of();
        String pendingFailure;

        RecordResult result() {
            Outcome ended = outcome;
            if (ended == null) {
                ended = error != null ? Outcome.FAILED : Outcome.REPLIED;
            }
            return new RecordResult(ended, similarity, holderMessageId, guardNanos / 1e6, generateNanos / 1e6,
                    deliverNanos / 1e6, replyLength, inReplyTo, rounds, replies, error);
        }
    }
}
