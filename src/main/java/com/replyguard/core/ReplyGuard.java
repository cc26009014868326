package com.replyguard.core;

import java.util.List;
import java.util.Set;

/**
 * The shared memory that keeps one reply per user message across every worker. Each method is one
 * atomic step (one Redis round trip in the Redis guard); the pipeline decides what to do with it.
 */
public interface ReplyGuard {

    /**
     * Takes the match's in-progress flag for {@code job}, unless another job holds it or every
     * message is already answered. Also tells which of {@code job} and {@code followers} (later jobs
     * of the same match in this batch) were answered before.
     *
     * @throws GuardUnavailableException when the guard's store cannot answer; the caller fails open
     */
    Admission admit(Job job, List<Job> followers);

    /**
     * Hands {@code job}'s message to the job holding the flag, to be answered by its reply; if the
     * flag was released meanwhile, takes it instead ({@link Admission.Granted}).
     *
     * @return {@link Admission.HandedOver}, {@link Admission.Granted} or {@link Admission.AlreadyAnswered}
     */
    Admission handOver(Job job);

    /**
     * Records {@code answers} as answered by {@code sentReply}, before it is delivered — unless
     * messages were handed over since the holder last looked and {@code force} is false.
     *
     * @param sentReply the reply about to be delivered, or {@code null} when it is dropped as a duplicate
     */
    Commit commit(Admission.Granted grant, List<Answer> answers, String sentReply, boolean force);

    /** Undoes {@code committed} after its reply could not be delivered, and clears the flag if still ours. */
    void rollback(Admission.Granted grant, Commit.Committed committed, List<Answer> answers, String sentReply);

    /** Clears the flag if this job still owns it, recording nothing (skip and failure paths). */
    void release(Admission.Granted grant);

    /** A guard that admits every job: {@code GUARD_ENABLED=false}, the baseline with no guard. */
    static ReplyGuard disabled() {
        return DisabledGuard.INSTANCE;
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

    /** What {@link #admit} or {@link #handOver} decided. */
    sealed interface Admission {

        /**
         * This job owns the flag until commit, release or the guard TTL.
         *
         * @param answeredIds     which of the asked messageIds were answered before
         * @param recentQuestions normalised questions answered within the guard TTL, newest first
         * @param recentReplies   normalised replies sent within the guard TTL, newest first
         * @param handedOver      messages other jobs handed over, still unanswered
         */
        record Granted(String matchId, String ownerToken, Set<String> answeredIds, List<String> recentQuestions,
                       List<String> recentReplies, List<HandedOverMessage> handedOver) implements Admission {
            public Granted {
                answeredIds = Set.copyOf(answeredIds);
                recentQuestions = List.copyOf(recentQuestions);
                recentReplies = List.copyOf(recentReplies);
                handedOver = List.copyOf(handedOver);
            }
        }

        /** Every asked message was answered within the answered-memory TTL. */
        record AlreadyAnswered() implements Admission {
        }

        /**
         * Another job is generating for this match.
         *
         * @param holderQuestion the holder's question, normalised
         * @param answeredIds    which of the asked messageIds were answered before
         */
        record InProgress(String holderMessageId, long heldForMillis, String holderQuestion, Set<String> answeredIds)
                implements Admission {
        }

        /** The message now waits in the holder's list; the holder's reply (or a follow-up) answers it. */
        record HandedOver(String holderMessageId) implements Admission {
        }
    }

    /** What {@link #commit} did. */
    sealed interface Commit {

        /**
         * Written. {@code leftover}: messages handed over after the holder's last look, when forced;
         * the flag stays held for a follow-up that answers them.
         */
        record Committed(long atMillis, List<HandedOverMessage> leftover) implements Commit {
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

        /** Nothing written: the flag expired during generation and may be another job's now. */
        record Lost() implements Commit {
        }
    }

    /** The guard's store failed (refused, timed out, unknown state): the pipeline fails open. */
    final class GuardUnavailableException extends RuntimeException {
        public GuardUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
