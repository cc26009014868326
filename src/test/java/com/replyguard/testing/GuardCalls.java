package com.replyguard.testing;

import com.replyguard.core.Job;
import com.replyguard.core.Reply;
import com.replyguard.core.ReplyGuard;
import com.replyguard.core.ReplyGuard.Admission;
import com.replyguard.core.ReplyGuard.Attempt;
import com.replyguard.core.ReplyGuard.CommitRequest;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The guard's steps as a test drives them by hand, to set a match's state through the real scripts. */
public final class GuardCalls {

    private GuardCalls() {
    }

    public static Attempt attempt() {
        return new Attempt(UUID.randomUUID().toString(), Duration.ofSeconds(30));
    }

    public static Job job(String matchId, String messageId, String text) {
        return new Job(matchId, messageId, "sqs-" + messageId, 1, text, null, List.of(), null);
    }

    public static Admission admit(ReplyGuard guard, Attempt attempt, Job job) {
        return guard.admit(attempt, job, List.of(job.messageId()));
    }

    public static Reply reply(Job job, String text) {
        return new Reply(UUID.randomUUID().toString(), job.matchId(), List.of(job.messageId()), text, Instant.now());
    }

    /** Admit, then commit a reply to {@code job} (not confirmed: its delivery is still pending). */
    public static Reply committed(ReplyGuard guard, Job job, String text) {
        Attempt attempt = attempt();
        admit(guard, attempt, job);
        Reply reply = reply(job, text);
        guard.commit(attempt, job.matchId(), new CommitRequest(reply, List.of(ReplyGuard.Answer.of(job)), List.of(), List.of(), false));
        return reply;
    }

    /** Admit, commit, and confirm a reply to {@code job}: answered and delivered. */
    public static Reply answered(ReplyGuard guard, Job job, String text) {
        Reply reply = committed(guard, job, text);
        guard.confirm(job.matchId(), reply.replyId()).toCompletableFuture().join();
        return reply;
    }
}
