package com.replyguard.core;

import com.replyguard.core.ReplyGuard.Admission;
import com.replyguard.core.ReplyGuard.GuardUnavailableException;
import com.replyguard.similarity.TextSimilarity;

import java.time.Clock;
import java.util.List;

/**
 * The reply path for one job: guard → generate → deduplicate → deliver → commit.
 *
 * <p>Two guard round trips on every common path: {@code admit} before generating, then
 * {@code commit} (or {@code release} when the job stops early). The similarity decisions are made
 * here, on what {@code admit} returned, while the job holds the match's flag: nobody else can
 * answer for the match in between, so deciding outside Redis is not a race.
 */
public final class ReplyPipeline {

    private final ReplyGuard guard;
    private final ReplyGenerator generator;
    private final ReplySink sink;
    private final double questionSimilarity;
    private final double replySimilarity;
    private final Clock clock;

    public ReplyPipeline(ReplyGuard guard, ReplyGenerator generator, ReplySink sink,
                         double questionSimilarity, double replySimilarity, Clock clock) {
        this.guard = guard;
        this.generator = generator;
        this.sink = sink;
        this.questionSimilarity = questionSimilarity;
        this.replySimilarity = replySimilarity;
        this.clock = clock;
    }

    public RecordResult process(Job job) {
        Trace trace = new Trace();
        Admission admission;
        long start = System.nanoTime();
        try {
            admission = guard.admit(job);
        } catch (GuardUnavailableException e) {
            trace.guardNanos += System.nanoTime() - start;
            trace.error = e.getMessage();
            return generateAndDeliver(job, null, trace, Outcome.GUARD_BYPASSED);
        }
        trace.guardNanos += System.nanoTime() - start;

        return switch (admission) {
            case Admission.AlreadyAnswered answered -> trace.result(Outcome.SKIPPED_ALREADY_ANSWERED);
            case Admission.InProgress inProgress -> {
                trace.holderMessageId = inProgress.holderMessageId();
                yield trace.result(Outcome.SKIPPED_IN_PROGRESS);
            }
            case Admission.Granted grant -> {
                trace.similarity = highestSimilarity(job.userMessage(), grant.recentQuestions());
                if (trace.similarity >= questionSimilarity) {
                    release(grant, trace);
                    yield trace.result(Outcome.SKIPPED_SIMILAR_QUESTION);
                }
                yield generateAndDeliver(job, grant, trace, Outcome.REPLIED);
            }
        };
    }

    /** @param grant the flag this job holds, or {@code null} when the guard was bypassed */
    private RecordResult generateAndDeliver(Job job, Admission.Granted grant, Trace trace, Outcome success) {
        String text;
        long start = System.nanoTime();
        try {
            text = generator.generate(job, List.of(job.userMessage()));
        } catch (ReplyGenerator.GenerationException | RuntimeException e) {
            trace.generateNanos = System.nanoTime() - start;
            trace.error = "generation failed: " + describe(e);
            release(grant, trace);
            return trace.result(Outcome.FAILED);
        }
        trace.generateNanos = System.nanoTime() - start;
        trace.replyLength = text.length();

        if (grant != null) {
            double replyScore = highestSimilarity(text, grant.recentReplies());
            if (replyScore >= replySimilarity) {
                trace.similarity = replyScore;
                commit(grant, job, null, trace);
                return trace.result(Outcome.DROPPED_DUPLICATE_REPLY);
            }
        }

        start = System.nanoTime();
        try {
            sink.deliver(new Reply(job.matchId(), List.of(job.messageId()), text, clock.instant()));
        } catch (ReplySink.DeliveryException | RuntimeException e) {
            trace.deliverNanos = System.nanoTime() - start;
            trace.error = "delivery failed: " + describe(e);
            release(grant, trace);
            return trace.result(Outcome.FAILED);
        }
        trace.deliverNanos = System.nanoTime() - start;
        if (grant != null) {
            commit(grant, job, text, trace);
        }
        return trace.result(success);
    }

    private void commit(Admission.Granted grant, Job job, String sentReply, Trace trace) {
        long start = System.nanoTime();
        try {
            trace.flagLost = !guard.commit(grant, job, sentReply);
        } catch (GuardUnavailableException e) {
            // Already delivered: the reply stands. The flag expires with its TTL.
            trace.error = "guard commit failed: " + e.getMessage();
        }
        trace.guardNanos += System.nanoTime() - start;
    }

    private void release(Admission.Granted grant, Trace trace) {
        if (grant == null) {
            return;
        }
        long start = System.nanoTime();
        try {
            guard.release(grant);
        } catch (GuardUnavailableException e) {
            // The flag expires with its TTL; the retry is delayed by at most that.
            trace.error = (trace.error == null ? "" : trace.error + "; ") + "guard release failed: " + e.getMessage();
        }
        trace.guardNanos += System.nanoTime() - start;
    }

    private static double highestSimilarity(String text, List<String> recent) {
        double best = 0;
        for (String other : recent) {
            best = Math.max(best, TextSimilarity.score(text, other));
        }
        return best;
    }

    /** The exception's type and message: adapters keep message and reply text out of their messages. */
    private static String describe(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static final class Trace {
        long guardNanos;
        long generateNanos;
        long deliverNanos;
        double similarity = -1;
        String holderMessageId;
        int replyLength;
        boolean flagLost;
        String error;

        RecordResult result(Outcome outcome) {
            return new RecordResult(outcome, similarity, holderMessageId, guardNanos / 1e6,
                    generateNanos / 1e6, deliverNanos / 1e6, replyLength, flagLost, error);
        }
    }
}
