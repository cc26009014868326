package com.replyguard.testing;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;

/** Bedrock Runtime's Converse wire format (restJson1), for WireMock stubs. */
public final class BedrockWire {

    private BedrockWire() {
    }

    /** {@code POST /model/{modelId}/converse}, any model. */
    public static MappingBuilder converse() {
        return post(urlPathMatching("/model/[^/]+/converse"));
    }

    public static ResponseDefinitionBuilder reply(String text) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withHeader("x-amzn-RequestId", "req-1")
                .withBody("""
                        {"output":{"message":{"role":"assistant","content":[{"text":%s}]}},
                         "stopReason":"end_turn",
                         "usage":{"inputTokens":42,"outputTokens":7,"totalTokens":49},
                         "metrics":{"latencyMs":321}}""".formatted(quote(text)));
    }

    /** An AWS error as Bedrock sends it: type in {@code x-amzn-ErrorType}, message in the body. */
    public static ResponseDefinitionBuilder error(int status, String type, String message) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json")
                .withHeader("x-amzn-ErrorType", type + ":http://internal.amazon.com/coral/com.amazon.bedrock/")
                .withHeader("x-amzn-RequestId", "req-err")
                .withBody("{\"message\":" + quote(message) + "}");
    }

    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
