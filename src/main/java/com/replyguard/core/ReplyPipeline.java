package com.replyguard.core;

import com.replyguard.core.GuardDecisions.HolderPlan;
import com.replyguard.core.GuardDecisions.HolderStep;
import com.replyguard.core.GuardDecisions.JoinStep;
import com.replyguard.core.GuardDecisions.ReplyCheck;
import com.replyguard.core.ReplyGuard.Admission;
import com.replyguard.core.ReplyGuard.Answer;
import com.replyguard.core.ReplyGuard.Attempt;
import com.replyguard.core.ReplyGuard.Commit;
import com.replyguard.core.ReplyGuard.CommitRequest;
import com.replyguard.core.ReplyGuard.GuardUnavailableException;
import com.replyguard.core.ReplyGuard.MessageState;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The reply path for the jobs of one match: <b>admit → decide → generate → commit → deliver</b>.
 * This is the protocol that keeps one reply per user message (SPEC I1–I4, I11):
 *
 * <ol>
 *   <li><b>Admit</b> (one round trip): take the match's in-progress flag with a token unique to this
 *       attempt, and read what the guard knows — which of the batch's messages are answered, recent
 *       questions and replies, messages handed over by other jobs. The flag's lease is the
 *       invocation's remaining time plus a margin, so a killed holder frees the match soon after.
 *       Admit is idempotent per token: a retry after a timeout finds its own flag.</li>
 *   <li><b>Decide</b> ({@link GuardDecisions}, pure functions of what admit returned): skip what is
 *       answered or a repeat of a recent question; re-send a committed reply whose worker is gone;
 *       while another job holds the flag, hand a different message over to it, and keep the record
 *       on the queue until a reply covering it is committed.</li>
 *   <li><b>Generate</b> one reply for the job's messages and the handed-over ones (bounded in count
 *       and size). A reply like a recent one is dropped only if it would answer the same question
 *       again; for a different question it is generated once more, told what was already said.</li>
 *   <li><b>Commit</b> (one round trip), the outbox: the reply, with its {@code replyId} and the
 *       messages it answers, is recorded before it is sent, with the answered markers and the
 *       repeats' markers. If messages were handed over meanwhile, nothing is written and the holder
 *       generates again covering them (bounded rounds), then answers later ones with a follow-up.</li>
 *   <li><b>Deliver</b>, then <b>confirm</b> without waiting. A retry that finds a committed reply
 *       never confirmed, older than the delivery timeout, re-sends that same reply: receivers drop
 *       a {@code replyId} they have seen, so nothing is lost or doubled if a worker dies between
 *       commit and delivery, or after delivery and before the confirmation.</li>
 * </ol>
 *
 * <p>Records are acknowledged only when their message is answered, durably committed to be, or
 * judged a repeat ({@link RecordResult#retried}). If Redis fails, an ambiguous command is retried
 * once with the same token, then the worker replies anyway, deduplicating the batch by itself, and
 * records that reply once Redis answers ({@link Invocation#finish}).
 */
public final class ReplyPipeline {

    /** What is added to the invocation's remaining time to make the flag's lease. */
    static final Duration LEASE_MARGIN = Duration.ofSeconds(2);
    /** Kept back after a generation for committing and the bookkeeping around delivery. */
    static final Duration COMMIT_RESERVE = Duration.ofMillis(500);
    /** When a record waiting for Redis (an outage, not a stall) comes back. */
    static final Duration WAIT_FOR_REDIS = Duration.ofSeconds(10);
    /** The longest {@link Invocation#finish} waits for Redis to record replies sent without it. */
    static final Duration SETTLE_MAX = Duration.ofSeconds(2);
    private static final long SETTLE_PAUSE_MILLIS = 100;
    /** The most replies sent without the guard that a container keeps to record later; the oldest go first. */
    static final int BACKLOG_MAX = 1_000;

    /**
     * Tuning of the pipeline, from the guard and sink settings.
     *
     * @param deliveryTimeout      the sink's longest delivery (its timeout and retries): kept back in
     *                             the invocation to deliver a committed reply; a committed reply
     *                             unconfirmed for a second longer is taken as never delivered
     * @param leaseWithoutDeadline the flag's lease when the invocation has no deadline (local runs)
     * @param maxReceiveCount      the jobs queue's receives before the DLQ: with Redis unavailable, a
     *                             record already delivered before (it may have been answered meanwhile)
     *                             waits for Redis instead of failing open, until its last receives
     */
    public record Policy(double questionSimilarity, double replySimilarity, boolean coalesce, int maxRounds,
                         Duration deliveryTimeout, Duration leaseWithoutDeadline, int maxReceiveCount) {

        public Policy(double questionSimilarity, double replySimilarity, boolean coalesce, int maxRounds,
                      Duration deliveryTimeout, Duration leaseWithoutDeadline) {
            this(questionSimilarity, replySimilarity, coalesce, maxRounds, deliveryTimeout, leaseWithoutDeadline, 5);
        }

        /**
         * Whether a record may be answered without the guard: on its first receive (nobody can have
         * answered it yet, unless a copy), or on its last two (better a rare double than a message in
         * the DLQ). In between, it was delivered before — handed over, or its reply committed — and
         * answering it blind would often answer it twice.
         */
        boolean failsOpen(Job job) {
            return job.receiveCount() <= 1 || onLastReceives(job);
        }

        /** Whether a record is on one of its last two receives before the DLQ. */
        boolean onLastReceives(Job job) {
            return job.receiveCount() >= maxReceiveCount - 1;
        }
    }

    private final ReplyGuard guard;
    private final ReplyGenerator generator;
    private final ReplySink sink;
    private final Policy policy;
    private final Clock clock;
    private final Backlog backlog = new Backlog();

    public ReplyPipeline(ReplyGuard guard, ReplyGenerator generator, ReplySink sink, Policy policy, Clock clock) {
        this.guard = guard;
        this.generator = generator;
        this.sink = sink;
        this.policy = policy;
        this.clock = clock;
    }

    /** One invocation: its matches run through it concurrently, then {@link Invocation#finish} once. */
    public Invocation invocation(Deadline deadline) {
        Invocation invocation = new Invocation(deadline);
        invocation.recordBacklog();
        return invocation;
    }

    /** The jobs of one match in an invocation of their own. */
    public List<RecordResult> process(List<Job> jobs, Deadline deadline) {
        Invocation invocation = invocation(deadline);
        List<RecordResult> results = invocation.process(jobs);
        invocation.finish();
        return results;
    }

    /** What one invocation leaves to do once its matches are processed. */
    public final class Invocation {
        private final Deadline deadline;
        private final List<Unrecorded> unrecorded = Collections.synchronizedList(new ArrayList<>());
        private final List<CompletionStage<Void>> confirmations = Collections.synchronizedList(new ArrayList<>());

        private Invocation(Deadline deadline) {
            this.deadline = deadline;
        }

        /**
         * Processes the jobs of one match, in batch order (thread-safe: one call per match, concurrently).
         *
         * @return one result per job, in the same order
         */
        public List<RecordResult> process(List<Job> jobs) {
            if (policy.coalesce()) {
                return new MatchRun(this, jobs).run();
            }
            List<RecordResult> results = new ArrayList<>();
            for (Job job : jobs) {
                results.addAll(new MatchRun(this, List.of(job)).run());
            }
            return results;
        }

        /**
         * Records the replies sent without the guard — and clears the flags their timed-out commands
         * may have left — as soon as Redis answers: on the open connection, even while the breaker is
         * open (Redis may be back before the breaker knows it; a record that succeeds closes it), for
         * at most {@link #SETTLE_MAX} within the invocation's time. A stalled Redis is waited for when
         * a command of ours may have run; a refused or unreachable one is tried once, and the replies
         * it could not record wait in the container for the next invocations (SPEC I4). Then waits,
         * within what is left, for the delivery confirmations.
         */
        public void finish() {
            long end = System.nanoTime() + settleBudget().toNanos();
            List<Unrecorded> pending;
            synchronized (unrecorded) {
                pending = new ArrayList<>(unrecorded);
            }
            pending.addAll(backlog.takeAll());
            record(pending, end);
            List<CompletionStage<Void>> waiting;
            synchronized (confirmations) {
                waiting = new ArrayList<>(confirmations);
            }
            for (CompletionStage<Void> confirmation : waiting) {
                long left = end - System.nanoTime();
                try {
                    confirmation.toCompletableFuture().get(Math.max(1, left), TimeUnit.NANOSECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    // unconfirmed: a later job re-sends the same reply, same replyId
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        /**
         * Records the backlog's replies before this invocation's jobs are admitted, so that a copy of
         * their messages in this batch is not answered again; only when Redis answered the last calls
         * (a down Redis costs the invocation nothing), once each.
         */
        private void recordBacklog() {
            if (backlog.isEmpty() || !guard.healthy()) {
                return;
            }
            record(backlog.takeAll(), System.nanoTime());
        }

        /**
         * Records in order; once Redis has not taken one, the next go back to the backlog untried (an
         * outage costs one try, not one per reply), except those that may hold a flag: worth a wait.
         */
        private void record(List<Unrecorded> pending, long end) {
            boolean redisTakes = true;
            List<Unrecorded> left = new ArrayList<>();
            for (Unrecorded reply : pending) {
                if (redisTakes || reply.mayHoldFlag()) {
                    if (record(reply, end)) {
                        continue;
                    }
                    redisTakes = false;
                }
                left.add(reply);
            }
            backlog.keep(left);
        }

        private boolean record(Unrecorded reply, long end) {
            boolean answeredLately = guard.healthy();
            while (true) {
                try {
                    guard.record(reply.attempt(), reply.matchId(), reply.reply());
                    return true;
                } catch (GuardUnavailableException e) {
                    // a flag of ours may be there, or Redis answered a moment ago and the record may have run: worth
                    // waiting for; otherwise (Redis refused, unreachable or stalled for a while) the reply waits in the backlog
                    boolean worthWaiting = reply.mayHoldFlag() || answeredLately && e.maybeRan();
                    if (!worthWaiting || System.nanoTime() + SETTLE_PAUSE_MILLIS * 1_000_000 >= end) {
                        return false;
                    }
                    pause(SETTLE_PAUSE_MILLIS);
                }
            }
        }

        private Duration settleBudget() {
            Duration left = deadline.remaining().minus(COMMIT_RESERVE.multipliedBy(2));
            return left.compareTo(SETTLE_MAX) > 0 ? SETTLE_MAX : left.isNegative() ? Duration.ZERO : left;
        }
    }

    /**
     * A reply delivered without the guard, to record once Redis answers ({@code reply} null: only
     * clear the flag). {@code mayHoldFlag}: a command of the attempt timed out and may have taken
     * the flag, which would stop the match's next messages until its lease ends: worth waiting for
     * Redis a little.
     */
    private record Unrecorded(Attempt attempt, String matchId, Reply reply, boolean mayHoldFlag) {
    }

    /**
     * The replies sent without the guard that no invocation of this container could record yet,
     * oldest first: each later invocation tries them again (SPEC I4: recorded once Redis answers).
     * Flags alone are not kept: their leases end by themselves. Kept ones are tried once each time,
     * not waited for.
     */
    private static final class Backlog {
        private final ArrayDeque<Unrecorded> replies = new ArrayDeque<>();

        synchronized boolean isEmpty() {
            return replies.isEmpty();
        }

        synchronized List<Unrecorded> takeAll() {
            List<Unrecorded> all = new ArrayList<>(replies);
            replies.clear();
            return all;
        }

        synchronized void keep(List<Unrecorded> left) {
            for (Unrecorded reply : left) {
                if (reply.reply() != null) {
                    replies.addLast(new Unrecorded(reply.attempt(), reply.matchId(), reply.reply(), false));
                }
            }
            while (replies.size() > BACKLOG_MAX) {
                replies.removeFirst();
            }
        }
    }

    /** How one job ended, as decided; a job's record is built from it. */
    private record Verdict(Outcome outcome, double similarity, String holderMessageId, String error, Duration retryAfter) {
        static Verdict ack(Outcome outcome) {
            return new Verdict(outcome, -1, null, null, null);
        }

        static Verdict failed(String error, Duration retryAfter) {
            return new Verdict(Outcome.FAILED, -1, null, error, retryAfter);
        }

        Verdict withSimilarity(double score) {
            return new Verdict(outcome, score, holderMessageId, error, retryAfter);
        }

        Verdict withHolder(String holder) {
            return new Verdict(outcome, similarity, holder, error, retryAfter);
        }

        Verdict withError(String why) {
            return new Verdict(outcome, similarity, holderMessageId, why, retryAfter);
        }

        boolean acknowledged() {
            return !outcome.retried() && retryAfter == null;
        }
    }

    /** How a generate-commit-deliver sequence ended. */
    private sealed interface Answered {
        /** Delivered; {@code leftover}: messages handed over after the commit, the flag still held for them. */
        record Delivered(Reply reply, List<HandedOverMessage> leftover) implements Answered {
        }

        /** Every message it answered was a re-answer of the same question: nothing sent, all marked. */
        record Dropped(double similarity, List<HandedOverMessage> leftover) implements Answered {
        }

        /** Nothing to answer (repeats only): committed as such. */
        record Nothing(List<HandedOverMessage> leftover) implements Answered {
        }

        /** Nothing delivered: the records are retried ({@code retryAfter} null: the queue's own delay). */
        record Failed(String error, Duration retryAfter) implements Answered {
        }
    }

    /** One match's jobs of one invocation, from admit to delivery. */
    private final class MatchRun {
        private final Invocation invocation;
        private final List<Job> jobs;
        private final Job lead;
        private final String matchId;
        private final Attempt attempt;
        private final Map<String, Verdict> verdicts = new HashMap<>();
        /** Questions answered recently or by this run: what later messages are compared with. */
        private final List<String> covered = new ArrayList<>();
        // what the lead's record reports
        private long guardNanos;
        private long generateNanos;
        private long deliverNanos;
        private long longestGeneration;
        private int rounds;
        private int replyLength;
        private final List<String> inReplyTo = new ArrayList<>();
        private final List<String> replyIds = new ArrayList<>();
        private final List<String> parked = new ArrayList<>();
        private final List<String> notes = new ArrayList<>();
        private String lastDeliveryError;

        MatchRun(Invocation invocation, List<Job> jobs) {
            this.invocation = invocation;
            this.jobs = jobs;
            this.lead = jobs.getFirst();
            this.matchId = lead.matchId();
            // created per attempt, never at init: a SnapStart snapshot would clone it
            this.attempt = new Attempt(UUID.randomUUID().toString(), lease(invocation.deadline));
        }

        List<RecordResult> run() {
            GuardDecisions.Shape shape = GuardDecisions.shape(jobs);
            Admission admission;
            try {
                admission = timed(() -> guard.admit(attempt, lead, shape.uniqueIds()));
            } catch (GuardUnavailableException e) {
                failOpen(shape.unique(), e);
                return results(shape);
            }
            switch (admission) {
                case Admission.AlreadyAnswered answered ->
                        shape.unique().forEach(job -> verdicts.put(job.messageId(), Verdict.ack(Outcome.SKIPPED_ALREADY_ANSWERED)));
                case Admission.InProgress held -> joinInFlight(shape.unique(), held);
                case Admission.Granted grant -> answerAsHolder(shape.unique(), grant);
                case Admission.HandedOver over -> throw new IllegalStateException("admit never hands over");
                case Admission.Full full -> throw new IllegalStateException("admit never hands over");
            }
            return results(shape);
        }

        // ---------------------------------------------------------------- another job holds the flag

        private void joinInFlight(List<Job> unique, Admission.InProgress held) {
            List<JoinStep> steps = GuardDecisions.whileHeld(unique, held, policy.questionSimilarity(), policy.coalesce());
            List<String> repeats = new ArrayList<>();
            for (int i = 0; i < unique.size(); i++) {
                Job job = unique.get(i);
                switch (steps.get(i)) {
                    case JoinStep.AlreadyAnswered answered -> verdicts.put(job.messageId(), Verdict.ack(Outcome.SKIPPED_ALREADY_ANSWERED));
                    case JoinStep.Wait wait -> verdicts.put(job.messageId(), new Verdict(Outcome.SKIPPED_IN_PROGRESS, -1,
                            held.holderMessageId(), wait.why(), wait.retryAfter()));
                    case JoinStep.Repeat repeat -> {
                        repeats.add(job.messageId());
                        verdicts.put(job.messageId(), Verdict.ack(Outcome.SKIPPED_SIMILAR_QUESTION)
                                .withSimilarity(repeat.similarity()).withHolder(held.holderMessageId()));
                    }
                    case JoinStep.Skip skip -> verdicts.put(job.messageId(),
                            Verdict.ack(Outcome.SKIPPED_IN_PROGRESS).withHolder(held.holderMessageId()));
                    case JoinStep.HandOver handOver -> {
                        if (handOver(job, held, unique.subList(i, unique.size()), steps.subList(i, steps.size()))) {
                            i = unique.size(); // this job took the flag and answered the rest of the batch
                        }
                    }
                }
            }
            if (!repeats.isEmpty()) {
                try {
                    timed(() -> {
                        guard.markRepeats(matchId, repeats);
                        return null;
                    });
                } catch (GuardUnavailableException e) {
                    // judged a repeat all the same: acknowledged, unremembered past the recent window
                    repeats.forEach(id -> verdicts.computeIfPresent(id, (k, v) -> v.withError("repeat not recorded: " + e.getMessage())));
                }
            }
        }

        /**
         * Hands {@code job} over to the holder. If the flag was freed in between, this job takes it
         * and answers itself with the batch's jobs still to hand over.
         *
         * @return whether this job became the holder
         */
        private boolean handOver(Job job, Admission.InProgress held, List<Job> rest, List<JoinStep> restSteps) {
            Admission handed;
            try {
                handed = timed(() -> guard.handOver(attempt, job));
            } catch (GuardUnavailableException e) {
                if (e.maybeRan()) {
                    // it may sit in the holder's list: a reply of our own could double it; retry the record
                    verdicts.put(job.messageId(), Verdict.failed("handover result unknown: " + e.getMessage(), null));
                } else {
                    failOpen(List.of(job), e);
                }
                return false;
            }
            switch (handed) {
                case Admission.HandedOver over -> verdicts.put(job.messageId(), new Verdict(Outcome.COALESCED, -1,
                        over.holderMessageId(), null, over.leaseLeft().plus(GuardDecisions.RETRY_MARGIN)));
                case Admission.Full full -> verdicts.put(job.messageId(), new Verdict(Outcome.SKIPPED_IN_PROGRESS, -1,
                        full.holderMessageId(), "the holder's handed-over list is full",
                        full.leaseLeft().plus(GuardDecisions.RETRY_MARGIN)));
                case Admission.AlreadyAnswered answered -> verdicts.put(job.messageId(), Verdict.ack(Outcome.SKIPPED_ALREADY_ANSWERED));
                case Admission.Granted grant -> {
                    List<Job> mine = new ArrayList<>();
                    for (int k = 0; k < rest.size(); k++) {
                        if (restSteps.get(k) instanceof JoinStep.HandOver) {
                            mine.add(rest.get(k));
                        }
                    }
                    Map<String, MessageState> states = new HashMap<>(held.states());
                    states.putAll(grant.states());
                    answerAsHolder(mine, new Admission.Granted(states, grant.recentQuestions(), grant.recentReplies(),
                            grant.handedOver()));
                    return true;
                }
                case Admission.InProgress stillHeld -> throw new IllegalStateException("handover never reports in progress");
            }
            return false;
        }

        // ---------------------------------------------------------------- the flag is ours

        private void answerAsHolder(List<Job> unique, Admission.Granted grant) {
            HolderPlan plan = GuardDecisions.asHolder(unique, grant, policy.questionSimilarity(), policy.deliveryTimeout(),
                    clock.instant());
            covered.addAll(grant.recentQuestions());
            List<Answer> answers = new ArrayList<>();
            List<Job> answering = new ArrayList<>();
            List<String> repeats = new ArrayList<>();
            Map<String, Reply> resend = new LinkedHashMap<>();
            Map<String, List<Job>> resentFor = new HashMap<>();
            for (int i = 0; i < unique.size(); i++) {
                Job job = unique.get(i);
                switch (plan.steps().get(i)) {
                    case HolderStep.AlreadyAnswered answered -> verdicts.put(job.messageId(), Verdict.ack(Outcome.SKIPPED_ALREADY_ANSWERED));
                    case HolderStep.WaitForDelivery wait -> verdicts.put(job.messageId(), new Verdict(Outcome.SKIPPED_IN_PROGRESS,
                            -1, null, "a reply covering it is committed; its delivery may be under way", wait.retryAfter()));
                    case HolderStep.Resend again -> {
                        resend.putIfAbsent(again.reply().replyId(), again.reply());
                        resentFor.computeIfAbsent(again.reply().replyId(), k -> new ArrayList<>()).add(job);
                        covered.add(job.userMessage());
                    }
                    case HolderStep.Repeat repeat -> {
                        repeats.add(job.messageId());
                        verdicts.put(job.messageId(), Verdict.ack(Outcome.SKIPPED_SIMILAR_QUESTION).withSimilarity(repeat.similarity()));
                        covered.add(job.userMessage());
                    }
                    case HolderStep.Answer answer -> {
                        answers.add(Answer.of(job));
                        answering.add(job);
                        covered.add(job.userMessage());
                    }
                }
            }
            plan.handovers().include().forEach(message -> {
                answers.add(Answer.of(message));
                covered.add(message.text());
            });
            repeats.addAll(plan.handovers().repeats().keySet());
            List<String> deferred = plan.handovers().deferred().stream().map(HandedOverMessage::messageId).toList();

            for (Reply reply : resend.values()) {
                // the worker that committed it is gone: the same reply, same replyId, never a new one
                boolean sent = deliver(reply);
                Verdict verdict = sent ? Verdict.ack(Outcome.REPLIED)
                        : Verdict.failed(lastError(), GuardDecisions.staleAfter(policy.deliveryTimeout()).plus(GuardDecisions.RETRY_MARGIN));
                resentFor.get(reply.replyId()).forEach(job -> verdicts.put(job.messageId(), verdict));
            }

            Answered answered = respond(lead, answers, repeats, deferred, grant.recentReplies());
            judge(answering, answered);
            followUps(answered, grant);
        }

        /** The batch's jobs that this reply answered get its outcome: the first REPLIED, the others COALESCED. */
        private void judge(List<Job> answering, Answered answered) {
            for (int i = 0; i < answering.size(); i++) {
                String id = answering.get(i).messageId();
                Verdict verdict = switch (answered) {
                    case Answered.Delivered delivered -> Verdict.ack(i == 0 ? Outcome.REPLIED : Outcome.COALESCED)
                            .withHolder(i == 0 ? null : answering.getFirst().messageId());
                    case Answered.Dropped dropped -> Verdict.ack(Outcome.DROPPED_DUPLICATE_REPLY).withSimilarity(dropped.similarity());
                    case Answered.Nothing nothing -> Verdict.ack(Outcome.SKIPPED_ALREADY_ANSWERED);
                    case Answered.Failed failed -> Verdict.failed(failed.error(), failed.retryAfter());
                };
                verdicts.put(id, verdict);
            }
        }

        /**
         * Messages handed over after the commit (or left for lack of room) get follow-up replies while
         * the invocation has time; the flag is held for them meanwhile. Their own records stay on the
         * queue, so what is not answered here is answered when they come back.
         */
        private void followUps(Answered answered, Admission.Granted grant) {
            List<HandedOverMessage> leftover = switch (answered) {
                case Answered.Delivered delivered -> delivered.leftover();
                case Answered.Dropped dropped -> dropped.leftover();
                case Answered.Nothing nothing -> nothing.leftover();
                case Answered.Failed failed -> List.of();
            };
            while (!leftover.isEmpty()) {
                GuardDecisions.Handovers next = GuardDecisions.sortHandovers(leftover, Set.of(), covered,
                        policy.questionSimilarity(), 0, 0);
                List<Answer> answers = next.include().stream().map(Answer::of).toList();
                Answered followUp = respond(lead, answers, new ArrayList<>(next.repeats().keySet()),
                        next.deferred().stream().map(HandedOverMessage::messageId).toList(), grant.recentReplies());
                leftover = switch (followUp) {
                    case Answered.Delivered delivered -> delivered.leftover();
                    case Answered.Dropped dropped -> dropped.leftover();
                    case Answered.Nothing nothing -> nothing.leftover();
                    case Answered.Failed failed -> {
                        notes.add("follow-up reply failed: " + failed.error());
                        yield List.of();
                    }
                };
            }
        }

        /**
         * Generates, commits and delivers one reply for {@code answers} (or, with none, commits the
         * repeats and releases the flag), generating again while messages are handed over meanwhile.
         */
        private Answered respond(Job context, List<Answer> initial, List<String> initialRepeats, List<String> initialDeferred,
                                 List<ReplyGuard.RecentReply> recentReplies) {
            List<Answer> answers = new ArrayList<>(initial);
            List<String> repeats = new ArrayList<>(initialRepeats);
            List<String> deferred = new ArrayList<>(initialDeferred);
            Duration reserve = policy.deliveryTimeout().plus(COMMIT_RESERVE);
            for (int round = 1; ; round++) {
                Reply reply = null;
                double droppedScore = -1;
                if (!answers.isEmpty()) {
                    if (!invocation.deadline.allows(reserve.plusNanos(longestGeneration))) {
                        return giveUp(answers, repeats, false, "not enough time left in the invocation to generate and deliver");
                    }
                    List<String> texts = answers.stream().map(Answer::text).toList();
                    String text;
                    try {
                        text = generate(context, texts, List.of());
                        ReplyCheck check = GuardDecisions.checkReply(text, texts, recentReplies, policy.replySimilarity(),
                                policy.questionSimilarity());
                        if (check instanceof ReplyCheck.Regenerate again) {
                            // like a recent reply to another question: once more, told what was said; delivered as it comes
                            notes.add("regenerated: reply " + Math.round(again.similarity() * 100) + " % like a recent one");
                            text = generate(context, texts, again.alreadySaid());
                        } else if (check instanceof ReplyCheck.Drop drop) {
                            droppedScore = drop.similarity();
                        }
                    } catch (ReplyGenerator.GenerationException | RuntimeException e) {
                        return giveUp(answers, repeats, true, "generation failed: " + describe(e));
                    }
                    if (!invocation.deadline.allows(reserve)) {
                        return giveUp(answers, repeats, false, "not enough time left in the invocation to commit and deliver");
                    }
                    replyLength = text.length();
                    if (droppedScore < 0) {
                        reply = new Reply(UUID.randomUUID().toString(), matchId,
                                answers.stream().map(Answer::messageId).toList(), text, clock.instant());
                    }
                }
                List<Answer> answered = reply == null ? List.of() : answers;
                List<String> marked = new ArrayList<>(repeats);
                if (reply == null) {
                    answers.forEach(a -> marked.add(a.messageId())); // a dropped re-answer: its messages are repeats
                }
                boolean force = round >= policy.maxRounds()
                        || !invocation.deadline.allows(reserve.plusNanos(2 * longestGeneration));
                CommitRequest request = new CommitRequest(reply, answered, marked, deferred, force);
                Commit commit;
                try {
                    commit = timed(() -> guard.commit(attempt, matchId, request));
                } catch (GuardUnavailableException e) {
                    commit = commitOnceRedisIsBack(request, reserve);
                    if (commit != null) {
                        notes.add("guard commit failed (" + e.getMessage() + "), then went through once Redis answered");
                    }
                }
                if (commit == null) {
                    notes.add("guard commit failed: Redis did not answer in time");
                    if (reply == null) {
                        return droppedScore >= 0 ? new Answered.Dropped(droppedScore, List.of()) : new Answered.Nothing(List.of());
                    }
                    if (policy.onLastReceives(lead)) {
                        // fail open: near the DLQ a rare double is better than no reply; recorded once Redis answers
                        if (!deliver(reply)) {
                            invocation.unrecorded.add(new Unrecorded(attempt, matchId, null, true));
                            return new Answered.Failed(lastError(), WAIT_FOR_REDIS);
                        }
                        invocation.unrecorded.add(new Unrecorded(attempt, matchId, reply, true));
                        return new Answered.Delivered(reply, List.of());
                    }
                    // Redis answered the admit and is gone at the commit: every message of this reply still has its
                    // record on the queue, so nothing is lost by not sending it now, while a reply sent uncommitted
                    // could be answered again by the next job. The records come back soon, when Redis is likely back.
                    invocation.unrecorded.add(new Unrecorded(attempt, matchId, null, true));
                    return new Answered.Failed("Redis lost between admit and commit: not delivered, the records come back"
                            + " when it answers", WAIT_FOR_REDIS);
                }
                switch (commit) {
                    case Commit.Lost lost -> {
                        return new Answered.Failed("the in-progress flag's lease ended before the commit", null);
                    }
                    case Commit.Pending pending -> {
                        Set<String> seen = new HashSet<>();
                        answers.forEach(a -> seen.add(a.messageId()));
                        seen.addAll(repeats);
                        seen.addAll(deferred);
                        int chars = answers.stream().mapToInt(a -> a.text().length()).sum();
                        GuardDecisions.Handovers newer = GuardDecisions.sortHandovers(pending.handedOver(), seen, covered,
                                policy.questionSimilarity(), answers.size(), chars);
                        newer.include().forEach(m -> answers.add(Answer.of(m)));
                        repeats.addAll(newer.repeats().keySet());
                        newer.deferred().forEach(m -> deferred.add(m.messageId()));
                    }
                    case Commit.Committed committed -> {
                        if (reply == null) {
                            return droppedScore >= 0 ? new Answered.Dropped(droppedScore, committed.leftover())
                                    : new Answered.Nothing(committed.leftover());
                        }
                        if (!deliver(reply)) {
                            if (!committed.leftover().isEmpty()) {
                                release(List.of(), List.of());
                            }
                            // committed: the retry re-sends this same reply once its delivery timeout has passed
                            return new Answered.Failed(lastError(), GuardDecisions.staleAfter(policy.deliveryTimeout()).plus(GuardDecisions.RETRY_MARGIN));
                        }
                        return new Answered.Delivered(reply, committed.leftover());
                    }
                }
            }
        }

        /**
         * Redis answered this job's admit a moment ago and failed its commit: a blip (a restart, a
         * failover, a reconnect). The flag is still this job's, and a reply delivered uncommitted could
         * be answered again by another job: so the commit is tried again, every 100 ms, for as long as
         * the invocation can spare ({@link #SETTLE_MAX} at most) before the worker fails open.
         *
         * @return the commit, or {@code null} when Redis did not answer in time
         */
        private Commit commitOnceRedisIsBack(CommitRequest request, Duration reserve) {
            long end = System.nanoTime() + Math.min(SETTLE_MAX.toNanos(),
                    invocation.deadline.remaining().minus(reserve).toNanos());
            while (System.nanoTime() + SETTLE_PAUSE_MILLIS * 1_000_000 < end) {
                pause(SETTLE_PAUSE_MILLIS);
                try {
                    return timed(() -> guard.commit(attempt, matchId, request));
                } catch (GuardUnavailableException again) {
                    // still down: wait a little more
                }
            }
            return null;
        }

        /** Nothing committed: release the flag, counting a failed attempt for the handed-over messages when the generation failed. */
        private Answered giveUp(List<Answer> answers, List<String> repeats, boolean generationFailed, String why) {
            List<String> failedHandovers = generationFailed
                    ? answers.stream().filter(a -> a.handedOver() != null).map(Answer::messageId).toList() : List.of();
            release(failedHandovers, repeats);
            return new Answered.Failed(why, null);
        }

        private void release(List<String> failedHandovers, List<String> repeats) {
            try {
                ReplyGuard.Release released = timed(() -> guard.release(attempt, matchId, failedHandovers, repeats));
                parked.addAll(released.parked());
            } catch (GuardUnavailableException e) {
                // the flag ends with its lease; the retry is delayed by at most that
                notes.add("guard release failed: " + e.getMessage());
            }
        }

        // ---------------------------------------------------------------- Redis unavailable

        /**
         * Replies without the guard (SPEC I4), deduplicating the batch on its own: each messageId
         * once, a repeat of another message of the batch skipped, one reply for the rest. The reply
         * is recorded once Redis answers again, and a flag the failed command may have set is cleared.
         */
        private void failOpen(List<Job> unique, GuardUnavailableException e) {
            notes.add(e.getMessage());
            List<Job> now = new ArrayList<>();
            for (Job job : unique) {
                if (policy.failsOpen(job)) {
                    now.add(job);
                } else {
                    verdicts.put(job.messageId(), Verdict.failed("Redis unavailable: a record delivered before waits for it"
                            + " rather than risk a second reply", WAIT_FOR_REDIS));
                }
            }
            if (now.isEmpty()) {
                if (e.maybeRan()) {
                    invocation.unrecorded.add(new Unrecorded(attempt, matchId, null, true));
                }
                return;
            }
            unique = now;
            GuardDecisions.Bypass plan = GuardDecisions.withoutGuard(unique, policy.questionSimilarity());
            plan.repeats().forEach((id, score) -> verdicts.put(id, Verdict.ack(Outcome.SKIPPED_SIMILAR_QUESTION)
                    .withSimilarity(score).withError("repeat within the batch; guard unavailable")));
            List<String> texts = plan.answer().stream().map(Job::userMessage).toList();
            String text;
            try {
                text = generate(plan.answer().getFirst(), texts, List.of());
            } catch (ReplyGenerator.GenerationException | RuntimeException failure) {
                plan.answer().forEach(job -> verdicts.put(job.messageId(),
                        Verdict.failed("generation failed: " + describe(failure), null)));
                if (e.maybeRan()) {
                    invocation.unrecorded.add(new Unrecorded(attempt, matchId, null, true));
                }
                return;
            }
            replyLength = text.length();
            Reply reply = new Reply(UUID.randomUUID().toString(), matchId, plan.answer().stream().map(Job::messageId).toList(),
                    text, clock.instant());
            boolean sent = deliver(reply);
            plan.answer().forEach(job -> verdicts.put(job.messageId(), sent ? Verdict.ack(Outcome.GUARD_BYPASSED)
                    : Verdict.failed(lastError(), null)));
            if (sent || e.maybeRan()) {
                invocation.unrecorded.add(new Unrecorded(attempt, matchId, sent ? reply : null, e.maybeRan()));
            }
        }

        // ---------------------------------------------------------------- generation and delivery

        private String generate(Job context, List<String> texts, List<String> alreadySaid) throws ReplyGenerator.GenerationException {
            long start = System.nanoTime();
            try {
                return generator.generate(context, texts, alreadySaid);
            } finally {
                long took = System.nanoTime() - start;
                generateNanos += took;
                longestGeneration = Math.max(longestGeneration, took);
                rounds++;
            }
        }

        private boolean deliver(Reply reply) {
            long start = System.nanoTime();
            try {
                sink.deliver(reply);
            } catch (ReplySink.DeliveryException | RuntimeException e) {
                lastDeliveryError = "delivery failed: " + describe(e);
                return false;
            } finally {
                deliverNanos += System.nanoTime() - start;
            }
            inReplyTo.addAll(reply.inReplyTo());
            replyIds.add(reply.replyId());
            invocation.confirmations.add(guard.confirm(matchId, reply.replyId()));
            return true;
        }

        private String lastError() {
            return lastDeliveryError == null ? "delivery failed" : lastDeliveryError;
        }

        private <T> T timed(Supplier<T> call) {
            long start = System.nanoTime();
            try {
                return call.get();
            } finally {
                guardNanos += System.nanoTime() - start;
            }
        }

        // ---------------------------------------------------------------- results

        /** One result per job; a second copy of a messageId in the batch shares its first copy's fate. */
        private List<RecordResult> results(GuardDecisions.Shape shape) {
            List<RecordResult> results = new ArrayList<>(jobs.size());
            for (int i = 0; i < jobs.size(); i++) {
                Job job = jobs.get(i);
                Verdict verdict = verdicts.getOrDefault(job.messageId(),
                        Verdict.failed("no decision was reached for this record", null));
                if (shape.copyOf()[i] != i) {
                    verdict = verdict.acknowledged() ? Verdict.ack(Outcome.SKIPPED_ALREADY_ANSWERED)
                            : verdict.withError("same message as an earlier record of the batch, which is retried: "
                            + (verdict.error() == null ? verdict.outcome().name() : verdict.error()));
                }
                boolean first = i == 0;
                String error = verdict.error();
                if (first && !notes.isEmpty()) {
                    error = (error == null ? "" : error + "; ") + String.join("; ", notes);
                }
                results.add(new RecordResult(verdict.outcome(), verdict.similarity(), verdict.holderMessageId(),
                        first ? guardNanos / 1e6 : 0, first ? generateNanos / 1e6 : 0, first ? deliverNanos / 1e6 : 0,
                        first ? replyLength : 0, first ? inReplyTo : List.of(), first ? rounds : 0,
                        first ? replyIds.size() : 0, error, verdict.retryAfter(), first ? replyIds : List.of(),
                        first ? parked : List.of()));
            }
            return results;
        }
    }

    /** The flag's lease: what the invocation may still run, plus a margin; without a deadline, the guard TTL. */
    private Duration lease(Deadline deadline) {
        Duration remaining = deadline.remaining();
        return remaining.compareTo(Deadline.UNLIMITED) >= 0 ? policy.leaseWithoutDeadline() : remaining.plus(LEASE_MARGIN);
    }

    /** The exception's message: adapters keep message and reply text out of their exceptions. */
    private static String describe(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
