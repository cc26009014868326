package com.replyguard.core;

/**
 * An adapter that can exercise its hot code path without side effects, for SnapStart priming
 * (before the snapshot is taken): build, serialise and sign a request, parse a canned answer —
 * but send nothing, deliver nothing, write no state.
 */
public interface Primeable {

    /**
     * Must not throw; must not send anything over the network that has an effect.
     *
     * @param sample a synthetic job (reserved ids, made up text) to build the request from
     */
    void prime(Job sample);
}
