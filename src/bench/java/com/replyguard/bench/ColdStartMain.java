package com.replyguard.bench;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.replyguard.lambda.ReplyGuardHandler;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One cold start, as Lambda runs it: construct the handler from the environment (init), deserialise
 * the SQS event with the runtime's own serialiser, invoke; the stdout sink prints the reply. Run by
 * {@link ColdStart} in a fresh JVM on the deployable's classpath.
 */
public final class ColdStartMain {

    private ColdStartMain() {
    }

    public static void main(String[] args) throws Exception {
        ReplyGuardHandler handler = new ReplyGuardHandler();
        System.out.println("cold-start-init-done");
        System.out.flush();
        PojoSerializer<SQSEvent> serializer = LambdaEventSerializers.serializerFor(SQSEvent.class,
                ColdStartMain.class.getClassLoader());
        SQSEvent event;
        try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
            event = serializer.fromJson(in);
        }
        handler.handleRequest(event, null);
        handler.close();
        System.exit(0);
    }
}
