package com.replyguard.generator;

import com.replyguard.aws.Priming;
import com.replyguard.config.GeneratorSettings;
import com.replyguard.core.Job;
import com.replyguard.core.Primeable;
import com.replyguard.core.ReplyGenerator;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseRequest;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseResponse;
import software.amazon.awssdk.services.bedrockruntime.model.InferenceConfiguration;
import software.amazon.awssdk.services.bedrockruntime.model.Message;
import software.amazon.awssdk.services.bedrockruntime.model.SystemContentBlock;

import java.util.List;

/**
 * Writes the reply with Amazon Bedrock's Converse API: the persona as the system prompt, the
 * history and the user's message(s) as alternating turns ({@link Conversation}). Throttling, 5xx
 * and connection errors are retried by the SDK within {@code GENERATOR_MAX_ATTEMPTS} and the
 * per-attempt {@code GENERATOR_TIMEOUT_MS}; anything left is a {@link GenerationException} (the
 * record is retried by SQS). Error messages carry the AWS error code and HTTP status only: the
 * service's message may quote the request.
 */
public final class BedrockGenerator implements ReplyGenerator, Primeable {

    private final BedrockRuntimeClient client;
    private final String modelId;
    private final GeneratorSettings.Llm llm;

    public BedrockGenerator(BedrockRuntimeClient client, String modelId, GeneratorSettings.Llm llm) {
        this.client = client;
        this.modelId = modelId;
        this.llm = llm;
    }

    @Override
    public String generate(Job job, List<String> messages, List<String> alreadySaid) throws GenerationException {
        ConverseResponse response;
        try {
            response = client.converse(request(job, messages, alreadySaid).build());
        } catch (ApiCallTimeoutException | ApiCallAttemptTimeoutException e) {
            throw new GenerationException("bedrock timed out (" + llm.timeout().toMillis() + " ms per attempt, "
                    + llm.maxAttempts() + " attempts)", e);
        } catch (AwsServiceException e) {
            String code = e.awsErrorDetails() == null ? "unknown" : e.awsErrorDetails().errorCode();
            throw new GenerationException("bedrock " + code + " (HTTP " + e.statusCode() + ")"
                    + (e.isThrottlingException() ? " after " + llm.maxAttempts() + " attempts" : ""), e);
        } catch (SdkClientException e) {
            throw new GenerationException("bedrock unreachable: " + rootCause(e), e);
        } catch (SdkException e) {
            throw new GenerationException("bedrock call failed: " + e.getClass().getSimpleName(), e);
        }
        return text(response);
    }

    ConverseRequest.Builder request(Job job, List<String> messages) {
        return request(job, messages, List.of());
    }

    ConverseRequest.Builder request(Job job, List<String> messages, List<String> alreadySaid) {
        Conversation conversation = Conversation.of(job, messages, alreadySaid, llm.historyTurns());
        InferenceConfiguration.Builder inference = InferenceConfiguration.builder().maxTokens(llm.maxTokens());
        if (llm.temperature() != null) {
            inference.temperature(llm.temperature().floatValue());
        }
        return ConverseRequest.builder()
                .modelId(modelId)
                .system(SystemContentBlock.fromText(conversation.system()))
                .messages(conversation.turns().stream()
                        .map(turn -> Message.builder()
                                .role(turn.user() ? ConversationRole.USER : ConversationRole.ASSISTANT)
                                .content(ContentBlock.fromText(turn.text()))
                                .build())
                        .toList())
                .inferenceConfig(inference.build());
    }

    private static String text(ConverseResponse response) throws GenerationException {
        StringBuilder text = new StringBuilder();
        if (response.output() != null && response.output().message() != null) {
            for (ContentBlock block : response.output().message().content()) {
                if (block.text() != null) {
                    text.append(block.text());
                }
            }
        }
        String reply = text.toString().strip();
        if (reply.isEmpty()) {
            throw new GenerationException("bedrock returned no text (stopReason " + response.stopReasonAsString() + ")");
        }
        return reply;
    }

    /** Builds, marshals and signs a Converse request for a synthetic job, and stops it before sending. */
    @Override
    public void prime(Job sample) {
        try {
            client.converse(request(sample, List.of(sample.userMessage())).overrideConfiguration(Priming.request()).build());
        } catch (RuntimeException e) {
            // expected: Priming stops the call before it is sent (or no credentials at build time)
        }
    }

    static String rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName();
    }
}
