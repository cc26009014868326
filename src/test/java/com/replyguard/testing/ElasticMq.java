package com.replyguard.testing;

import org.elasticmq.NodeAddress;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;

/**
 * One real SQS-compatible server (ElasticMQ, embedded) for the whole test run, on a free loopback
 * port, with a plain SqsClient for tests to create queues and read what the worker sent.
 */
public final class ElasticMq {

    private static SQSRestServer server;
    private static URI endpoint;
    private static SqsClient client;

    private ElasticMq() {
    }

    public static synchronized URI endpoint() {
        if (server == null) {
            int port = freePort();
            server = SQSRestServerBuilder.withInterface("127.0.0.1").withPort(port)
                    .withServerAddress(new NodeAddress("http", "127.0.0.1", port, ""))
                    .withAWSRegion(LocalAws.REGION)
                    .start();
            server.waitUntilStarted();
            endpoint = URI.create("http://127.0.0.1:" + port);
            client = SqsClient.builder()
                    .endpointOverride(endpoint)
                    .region(Region.of(LocalAws.REGION))
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "y")))
                    .httpClient(UrlConnectionHttpClient.create())
                    .build();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                client.close();
                server.stopAndWait();
            }));
        }
        return endpoint;
    }

    /** A plain client for the tests' own calls (create, receive, delete). */
    public static SqsClient client() {
        endpoint();
        return client;
    }

    /** Creates a queue and returns its URL. */
    public static String createQueue(String name) {
        if (name.endsWith(".fifo")) {
            return client().createQueue(r -> r.queueName(name).attributesWithStrings(java.util.Map.of("FifoQueue", "true")))
                    .queueUrl();
        }
        return client().createQueue(r -> r.queueName(name)).queueUrl();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
