package com.replyguard.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;

import java.io.IOException;

/**
 * Reads a secret string once, at start (GetSecretValue). The secret may be the value itself
 * ({@code rediss://default:…@….upstash.io:6379}) or a JSON object holding it under one of the
 * given keys ({@code {"REDIS_URL": "rediss://…"}}), as the console's key/value form stores it.
 * Errors name the variable that points at the secret and the AWS error code, never the value.
 */
public final class Secrets {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SecretsManagerClient client;

    public Secrets(SecretsManagerClient client) {
        this.client = client;
    }

    /**
     * @param variable the variable naming the secret, for errors ({@code REDIS_URL_SECRET_ARN})
     * @param jsonKeys keys to look for when the secret is a JSON object, in order
     */
    public String read(String variable, String secretArn, String... jsonKeys) {
        GetSecretValueResponse response;
        try {
            response = client.getSecretValue(r -> r.secretId(secretArn));
        } catch (AwsServiceException e) {
            throw new SecretException("could not read the secret named by " + variable + ": "
                    + e.awsErrorDetails().errorCode() + " (HTTP " + e.statusCode() + ")", e);
        } catch (SdkException e) {
            throw new SecretException("could not read the secret named by " + variable + ": "
                    + e.getClass().getSimpleName() + rootCause(e), e);
        }
        String value = response.secretString();
        if (value == null || value.isBlank()) {
            throw new SecretException("the secret named by " + variable + " has no string value (binary secrets are not supported)", null);
        }
        value = value.strip();
        if (value.startsWith("{")) {
            try {
                JsonNode object = JSON.readTree(value);
                for (String key : jsonKeys) {
                    JsonNode field = object.get(key);
                    if (field != null && field.isTextual() && !field.asText().isBlank()) {
                        return field.asText().strip();
                    }
                }
            } catch (IOException e) {
                throw new SecretException("the secret named by " + variable + " starts with '{' but is not valid JSON", null);
            }
            throw new SecretException("the secret named by " + variable + " is a JSON object without any of the keys "
                    + String.join(", ", jsonKeys), null);
        }
        return value;
    }

    private static String rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? "" : " (" + root.getClass().getSimpleName() + ")";
    }

    /** A secret could not be read at start: the worker does not start (Lambda retries the init). */
    public static final class SecretException extends RuntimeException {
        SecretException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
