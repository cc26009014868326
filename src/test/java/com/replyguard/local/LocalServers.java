package com.replyguard.local;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.replyguard.testing.BedrockWire;
import com.replyguard.testing.ElasticMq;
import com.replyguard.testing.SecretsManagerWire;

import java.io.IOException;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

/**
 * The deployed configuration's services on this machine, for docs/coldstart.sh: a real Redis, an
 * SQS server (ElasticMQ) with a reply queue, and one HTTP server speaking Bedrock Converse and
 * Secrets Manager (the secret holds the local Redis URL). Prints the environment the worker needs
 * as {@code LOCAL_NAME=value} lines, then {@code READY}, and runs until its standard input closes.
 */
public final class LocalServers {

    public static void main(String[] args) throws IOException {
        EmbeddedRedis redis = EmbeddedRedis.start();
        String queueUrl = ElasticMq.createQueue("replies");
        WireMockServer aws = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        aws.start();
        aws.stubFor(BedrockWire.converse().willReturn(BedrockWire.reply("Je vais randonner, et toi ?")));
        aws.stubFor(SecretsManagerWire.getSecretValue(SecretsManagerWire.ARN)
                .willReturn(SecretsManagerWire.secretString(SecretsManagerWire.ARN, redis.url())));

        String endpoint = "http://127.0.0.1:" + aws.port();
        System.out.println("LOCAL_REDIS_URL_SECRET_ARN=" + SecretsManagerWire.ARN);
        System.out.println("LOCAL_REDIS_URL=" + redis.url());
        System.out.println("LOCAL_REPLY_QUEUE_URL=" + queueUrl);
        System.out.println("LOCAL_SECRETS_MANAGER=" + endpoint);
        System.out.println("LOCAL_BEDROCK_RUNTIME=" + endpoint);
        System.out.println("LOCAL_SQS=" + ElasticMq.endpoint());
        System.out.println("READY");
        System.out.flush();
        try {
            while (System.in.read() >= 0) {
                // run until stdin closes
            }
        } finally {
            aws.stop();
            redis.close();
            System.exit(0);
        }
    }
}
