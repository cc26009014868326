package com.replyguard.core;

import java.util.List;

/** Admits everything and remembers nothing: the behaviour before reply-guard. */
enum DisabledGuard implements ReplyGuard {
    INSTANCE;

    @Override
    public Admission admit(Job job) {
        return new Admission.Granted(job.matchId(), "", List.of(), List.of());
    }

    @Override
    public boolean commit(Admission.Granted grant, Job job, String sentReply) {
        return true;
    }

    @Override
    public void release(Admission.Granted grant) {
    }
}
