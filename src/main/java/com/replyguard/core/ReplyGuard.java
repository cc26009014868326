package com.replyguard.core;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The shared memory that keeps one reply per user message across every worker (see
 * {@link ReplyPipeline} for the protocol). Each method is one atomic step — one Redis round trip in
 * the Redis guard — and every write step is idempotent for its {@link Attempt}: run twice (a retry
 * after a timeout that may have run), it has the effect of running once.
 */
public interface ReplyGuard {

    /**
     * Takes the match's in-progress flag for {@code lead}, unless another job holds it or every
     * asked message is already answered; reports the state of every asked message.
     *
     * @param askedIds the lead's messageId first, then the other messageIds of its batch for the match
     * @throws GuardUnavailableException when the guard's store cannot answer; the caller fails open
     */
    Admission admit(Attempt attempt, Job lead, List<String> askedIds);

    /**
     * Hands {@code job}'s message to the job holding the flag, to be answered by its reply; if the
     * flag was released meanwhile, takes it instead.
     *
     * @return {@link Admission.HandedOver}, {@link Admission.Full}, {@link Admission.Granted} or
     *         {@link Admission.AlreadyAnswered}
     */
    Admission handOver(Attempt attempt, Job job);

    /** Remembers messages judged repeats of a question in flight or answered (SPEC I1), without the flag. */
    void markRepeats(String matchId, List<String> messageIds);

    /**
     * The outbox: records {@code reply} with the messages it answers and the repeats it covers,
     * before it is delivered — unless messages were handed over since the holder last looked and
     * {@code force} is false. Idempotent by {@code replyId}.
     */
    Commit commit(Attempt attempt, String matchId, CommitRequest request);

    /**
     * The holder gives up (generation failed, no time left): marks {@code repeats}, counts a failed
     * attempt for each handed-over message that was part of it (parking those that failed too often),
     * and clears the flag if still this attempt's.
     */
    Release release(Attempt attempt, String matchId, List<String> failedHandedOverIds, List<String> repeats);

    /**
     * The reply was delivered: its outbox entry is done. Sent without waiting (the caller's reply
     * path does not await it; the invocation waits for it, bounded, before it ends): if it is lost,
     * a later job re-sends the same reply, with the same {@code replyId}. Sent on the same
     * connection before any later command of the caller, so Redis runs it first.
     */
    CompletionStage<Void> confirm(String matchId, String replyId);

    /**
     * Records a reply sent without the guard (fail open) once Redis answers again: its messages are
     * marked answered (only where no marker exists), and the flag {@code attempt} may have taken by
     * a command that timed out but ran is cleared.
     */
    void record(Attempt attempt, String matchId, Reply reply);

    /** Whether the store answered lately (its breaker is closed): a best-effort write is worth trying now. */
    boolean healthy();

    /** A guard that admits every job: {@code GUARD_ENABLED=false}, the baseline with no guard. */
    static ReplyGuard disabled() {
        return DisabledGuard.INSTANCE;
    }

    /**
     * One job's attempt at the flag.
     *
     * @param token unique to this attempt, created when it starts (never at init: SnapStart would
     *              clone it); a retry of an ambiguous command sends the same token
     * @param lease how long the flag lives: the invocation's remaining time plus a margin, so that a
     *              holder killed with its container frees the match soon after
     */
    record Attempt(String token, Duration lease) {
    }

    /** A message a reply answers: a job of this batch, or one handed over by another job. */
    record Answer(String messageId, String text, HandedOverMessage handedOver) {
        public static Answer of(Job job) {
            return new Answer(job.messageId(), job.userMessage(), null);
        }

        public static Answer of(HandedOverMessage message) {
            return new Answer(message.messageId(), message.text(), message);
        }
    }

    /** What the guard knows of one asked message. */
    sealed interface MessageState {
        /** No reply recorded, no repeat judged. */
        record Unanswered() implements MessageState {
        }

        /** Answered by a delivered reply, or judged a repeat. */
        record Answered() implements MessageState {
        }

        /** A reply covering it was committed at {@code committedAt} and its delivery was not confirmed. */
        record Committed(Reply reply, Instant committedAt) implements MessageState {
        }
    }

    /** A reply recently sent to the match, with the questions it answered (for the duplicate-reply check). */
    record RecentReply(String reply, List<String> questions) {
        public RecentReply {
            questions = List.copyOf(questions);
        }
    }

    /** What {@link #admit} or {@link #handOver} decided. */
    sealed interface Admission {

        /**
         * This attempt owns the flag until commit, release or its lease.
         *
         * @param states          each asked messageId's state
         * @param recentQuestions normalised questions answered within the guard TTL, newest first
         * @param recentReplies   replies sent within the guard TTL, newest first
         * @param handedOver      messages other jobs handed over, still unanswered, with their failed attempts
         */
        record Granted(Map<String, MessageState> states, List<String> recentQuestions, List<RecentReply> recentReplies,
                       List<HandedOverMessage> handedOver) implements Admission {
            public Granted {
                states = Map.copyOf(states);
                recentQuestions = List.copyOf(recentQuestions);
                recentReplies = List.copyOf(recentReplies);
                handedOver = List.copyOf(handedOver);
            }
        }

        /** Every asked message is answered (delivered, or judged a repeat). */
        record AlreadyAnswered() implements Admission {
        }

        /**
         * Another job is generating for this match.
         *
         * @param leaseLeft       how long the holder's flag still lives
         * @param holderQuestion  the holder's question, normalised
         * @param states          each asked messageId's state
         * @param recentQuestions normalised questions answered within the guard TTL
         * @param handedOver      the messages already handed to the holder
         */
        record InProgress(String holderMessageId, Duration leaseLeft, String holderQuestion,
                          Map<String, MessageState> states, List<String> recentQuestions, List<HandedOverMessage> handedOver)
                implements Admission {
            public InProgress {
                states = Map.copyOf(states);
                recentQuestions = List.copyOf(recentQuestions);
                handedOver = List.copyOf(handedOver);
            }
        }

        /** The message waits in the holder's list; the holder's reply (or a follow-up) answers it. */
        record HandedOver(String holderMessageId, Duration leaseLeft) implements Admission {
        }

        /** The holder already has as many handed-over messages as the guard keeps: try again later. */
        record Full(String holderMessageId, Duration leaseLeft) implements Admission {
        }
    }

    /**
     * What the holder commits.
     *
     * @param reply    the reply about to be delivered, or {@code null} when nothing is (every message a
     *                 repeat, or the reply dropped as a re-answer of the same question)
     * @param answers  the messages {@code reply} answers (empty without a reply)
     * @param repeats  messages judged repeats: remembered as answered, no reply of their own
     * @param deferred handed-over messages seen and left for a follow-up reply (size caps)
     * @param force    commit even if messages were handed over meanwhile (they come back as leftovers)
     */
    record CommitRequest(Reply reply, List<Answer> answers, List<String> repeats, List<String> deferred, boolean force) {
        public CommitRequest {
            answers = List.copyOf(answers);
            repeats = List.copyOf(repeats);
            deferred = List.copyOf(deferred);
        }
    }

    /** What {@link #commit} did. */
    sealed interface Commit {

        /**
         * Written. {@code leftover}: handed-over messages not covered (handed over after the holder's
         * last look when forced, or deferred); the flag stays held for a follow-up that answers them.
         */
        record Committed(List<HandedOverMessage> leftover) implements Commit {
            public Committed {
                leftover = List.copyOf(leftover);
            }
        }

        /** Nothing written: these messages were handed over meanwhile; generate again including them. */
        record Pending(List<HandedOverMessage> handedOver) implements Commit {
            public Pending {
                handedOver = List.copyOf(handedOver);
            }
        }

        /** Nothing written: the flag's lease ended and the match may be another job's now. */
        record Lost() implements Commit {
        }
    }

    /** What {@link #release} did: the handed-over messages parked for failing too often. */
    record Release(List<String> parked) {
        public Release {
            parked = List.copyOf(parked);
        }
    }

    /**
     * The guard's store failed (refused, timed out, unknown state): the pipeline fails open.
     * {@code maybeRan}: the command was sent and its result is unknown (a timeout, a connection cut
     * while it ran), so its effect may be there; otherwise it surely did not run.
     */
    final class GuardUnavailableException extends RuntimeException {
        private final boolean maybeRan;

        public GuardUnavailableException(String message, Throwable cause, boolean maybeRan) {
            super(message, cause);
            this.maybeRan = maybeRan;
        }

        public boolean maybeRan() {
            return maybeRan;
        }
    }
}
