package com.replyguard.core;

import java.util.List;

/**
 * The shared memory that keeps one reply per user message across every worker. Each method is one
 * atomic step (one Redis round trip in the Redis guard); the pipeline decides what to do with it.
 */
public interface ReplyGuard {

    /**
     * Takes the match's in-progress flag for this job, unless its message was already answered or
     * another job holds the flag.
     *
     * @throws GuardUnavailableException when the guard's store cannot answer; the caller fails open
     */
    Admission admit(Job job);

    /**
     * Records the job's message as answered (its question, and the reply when one was sent) and
     * clears the flag if this job still owns it.
     *
     * @param sentReply the delivered reply, or {@code null} when it was dropped as a duplicate
     * @return whether the flag was still this job's (false: it expired and may be another job's now)
     */
    boolean commit(Admission.Granted grant, Job job, String sentReply);

    /** Clears the flag if this job still owns it, recording nothing (skip and failure paths). */
    void release(Admission.Granted grant);

    /** A guard that admits every job: {@code GUARD_ENABLED=false}, the baseline with no guard. */
    static ReplyGuard disabled() {
        return DisabledGuard.INSTANCE;
    }

    /** What {@link #admit} decided. */
    sealed interface Admission {

        /** This job owns the flag until commit, release or the guard TTL. */
        record Granted(String matchId, String ownerToken, List<String> recentQuestions, List<String> recentReplies)
                implements Admission {
            public Granted {
                recentQuestions = List.copyOf(recentQuestions);
                recentReplies = List.copyOf(recentReplies);
            }
        }

        /** The message was answered within the answered-memory TTL. */
        record AlreadyAnswered() implements Admission {
        }

        /** Another job is generating for this match. */
        record InProgress(String holderMessageId, long heldForMillis) implements Admission {
        }
    }

    /** The guard's store failed (refused, timed out, unknown state): the pipeline fails open. */
    final class GuardUnavailableException extends RuntimeException {
        public GuardUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
