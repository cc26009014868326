package com.replyguard.core;

import java.util.List;
import java.util.Set;

/** Admits everything and remembers nothing: the behaviour before reply-guard. */
enum DisabledGuard implements ReplyGuard {
    INSTANCE;

    @Override
    public Admission admit(Job job, List<Job> followers) {
        return new Admission.Granted(job.matchId(), "", Set.of(), List.of(), List.of(), List.of());
    }

    @Override
    public Admission handOver(Job job) {
        return admit(job, List.of());
    }

    @Override
    public Commit commit(Admission.Granted grant, List<Answer> answers, String sentReply, boolean force) {
        return new Commit.Committed(0, List.of());
    }

    @Override
    public void rollback(Admission.Granted grant, Commit.Committed committed, List<Answer> answers, String sentReply) {
    }

    @Override
    public void release(Admission.Granted grant) {
    }
}
