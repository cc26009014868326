package com.replyguard.core;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Admits everything and remembers nothing: the behaviour before reply-guard. */
enum DisabledGuard implements ReplyGuard {
    INSTANCE;

    @Override
    public Admission admit(Attempt attempt, Job lead, List<String> askedIds) {
        Map<String, MessageState> states = new HashMap<>();
        askedIds.forEach(id -> states.put(id, new MessageState.Unanswered()));
        return new Admission.Granted(states, List.of(), List.of(), List.of());
    }

    @Override
    public Admission handOver(Attempt attempt, Job job) {
        return admit(attempt, job, List.of(job.messageId()));
    }

    @Override
    public void markRepeats(String matchId, List<String> messageIds) {
    }

    @Override
    public Commit commit(Attempt attempt, String matchId, CommitRequest request) {
        return new Commit.Committed(List.of());
    }

    @Override
    public Release release(Attempt attempt, String matchId, List<String> failedHandedOverIds, List<String> repeats) {
        return new Release(List.of());
    }

    @Override
    public CompletionStage<Void> confirm(String matchId, String replyId) {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void record(Attempt attempt, String matchId, Reply reply) {
    }

    @Override
    public boolean healthy() {
        return true;
    }
}
