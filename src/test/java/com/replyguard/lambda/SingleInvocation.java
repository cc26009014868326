package com.replyguard.lambda;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A container that runs one invocation in a JVM of its own and exits: the handler built from the
 * environment, the SQS event read from the file given. Tests start it as a process to kill it with
 * SIGKILL between two steps, as Lambda stops a container.
 */
public final class SingleInvocation {

    private SingleInvocation() {
    }

    public static void main(String[] args) throws Exception {
        SQSEvent event;
        try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
            event = LambdaEventSerializers.serializerFor(SQSEvent.class, SingleInvocation.class.getClassLoader()).fromJson(in);
        }
        try (ReplyGuardHandler handler = new ReplyGuardHandler()) {
            SQSBatchResponse response = handler.handleRequest(event, null);
            System.out.println("failures " + response.getBatchItemFailures().size());
        }
        System.exit(0);
    }
}
