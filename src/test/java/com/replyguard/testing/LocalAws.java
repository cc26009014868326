package com.replyguard.testing;

/**
 * What the AWS SDK needs to talk to a local server: a region and dummy credentials, given the way
 * Lambda's default chain would find them (system properties, read by the SDK's default
 * credentials provider), so the code under test uses its production credential path.
 */
public final class LocalAws {

    public static final String REGION = "eu-west-3";

    private LocalAws() {
    }

    public static synchronized void useDummyCredentials() {
        System.setProperty("aws.accessKeyId", "AKIDLOCALTEST");
        System.setProperty("aws.secretAccessKey", "local-test-secret");
        System.setProperty("aws.region", REGION);
    }
}
