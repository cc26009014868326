package com.replyguard.testing;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;

/** Secrets Manager's wire format (AWS JSON 1.1: {@code POST /}, operation in {@code X-Amz-Target}), for WireMock. */
public final class SecretsManagerWire {

    public static final String ARN = "arn:aws:secretsmanager:eu-west-3:123456789012:secret:reply-guard/upstash-AbCdEf";

    private SecretsManagerWire() {
    }

    public static MappingBuilder getSecretValue(String secretId) {
        return post(urlEqualTo("/"))
                .withHeader("X-Amz-Target", equalTo("secretsmanager.GetSecretValue"))
                .withRequestBody(matchingJsonPath("$.SecretId", equalTo(secretId)));
    }

    public static ResponseDefinitionBuilder secretString(String arn, String value) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1")
                .withBody("""
                        {"ARN":"%s","Name":"reply-guard/upstash","SecretString":%s,
                         "VersionId":"a1b2c3d4-5678-90ab-cdef-EXAMPLE11111","VersionStages":["AWSCURRENT"],
                         "CreatedDate":1.796000000E9}""".formatted(arn, quote(value)));
    }

    public static ResponseDefinitionBuilder error(int status, String type, String message) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/x-amz-json-1.1")
                .withBody("{\"__type\":\"" + type + "\",\"Message\":" + quote(message) + "}");
    }

    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
