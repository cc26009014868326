package com.replyguard.aws;

import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

import java.util.function.Consumer;

/**
 * Runs a real SDK call up to the wire and stops it there, for SnapStart priming: endpoint
 * resolution, marshalling, checksums and signing all run (their classes loaded, their caches
 * filled, in the snapshot), but nothing is sent — no message, no model invocation. A request
 * opts in with {@link #request()}; every client built by {@link AwsClients} carries the interceptor.
 */
public final class Priming {

    static final ExecutionAttribute<Boolean> PRIMING = new ExecutionAttribute<>("reply-guard.priming");

    private Priming() {
    }

    /** The override that marks a request as a priming call: pass to {@code overrideConfiguration(...)}. */
    public static Consumer<AwsRequestOverrideConfiguration.Builder> request() {
        return o -> o.putExecutionAttribute(PRIMING, Boolean.TRUE);
    }

    /** Whether an exception ended a priming call where it should: before sending. */
    public static boolean stoppedBeforeSending(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof Stopped) {
                return true;
            }
        }
        return false;
    }

    /** Thrown at the last step before the HTTP request leaves, for priming calls only. */
    static final class Stopped extends RuntimeException {
        Stopped() {
            super("priming call stopped before sending", null, false, false);
        }
    }

    static final class StopBeforeSending implements ExecutionInterceptor {
        @Override
        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            if (Boolean.TRUE.equals(attributes.getAttribute(PRIMING))) {
                throw new Stopped();
            }
        }
    }
}
