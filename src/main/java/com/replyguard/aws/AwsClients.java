package com.replyguard.aws;

import com.replyguard.config.AwsSettings;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.utils.SdkAutoCloseable;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the AWS SDK clients the worker needs, once per container: region from {@code AWS_REGION},
 * credentials from the SDK's default chain (the function's role on Lambda), the light
 * url-connection HTTP client with explicit timeouts, bounded retries, and the priming interceptor
 * (see {@link Priming}). Closes them all with the worker.
 */
public final class AwsClients implements AutoCloseable {

    /** Connecting to an AWS endpoint takes milliseconds; a slow connect is a network problem. */
    private static final Duration MAX_CONNECT_TIMEOUT = Duration.ofSeconds(2);

    private final AwsSettings settings;
    private final List<SdkAutoCloseable> opened = new ArrayList<>();
    private AwsCredentialsProvider credentials; // created with the first client: none when no AWS service is used

    public AwsClients(AwsSettings settings) {
        this.settings = settings;
    }

    /**
     * @param attemptTimeout one Converse call's limit (a generation takes seconds)
     * @param maxAttempts    attempts, retries included (throttling, 5xx, connection errors)
     */
    public synchronized BedrockRuntimeClient bedrock(Duration attemptTimeout, int maxAttempts) {
        return track(configure(BedrockRuntimeClient.builder(), AwsSettings.BEDROCK_RUNTIME, attemptTimeout, maxAttempts)
                .build());
    }

    public synchronized SqsClient sqs(Duration attemptTimeout, int maxAttempts) {
        return track(configure(SqsClient.builder(), AwsSettings.SQS, attemptTimeout, maxAttempts).build());
    }

    /** For reads at start only: the caller closes it once the secrets are read. */
    public synchronized SecretsManagerClient secretsManager() {
        return configure(SecretsManagerClient.builder(), AwsSettings.SECRETS_MANAGER, Duration.ofSeconds(3), 3).build();
    }

    private <B extends AwsClientBuilder<B, ?> & AwsSyncClientBuilder<B, ?>> B configure(
            B builder, String service, Duration attemptTimeout, int maxAttempts) {
        if (credentials == null) {
            credentials = DefaultCredentialsProvider.builder().build();
        }
        builder.region(Region.of(settings.requireRegion("an AWS client for " + service)))
                .credentialsProvider(credentials)
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(min(attemptTimeout, MAX_CONNECT_TIMEOUT))
                        .socketTimeout(attemptTimeout))
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .apiCallAttemptTimeout(attemptTimeout)
                        // the whole call, backoff included, stays within attempts x attempt timeout
                        .apiCallTimeout(attemptTimeout.multipliedBy(maxAttempts))
                        .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(maxAttempts).build())
                        .addExecutionInterceptor(new Priming.StopBeforeSending())
                        .build());
        URI endpoint = settings.endpoint(service);
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        return builder;
    }

    private <C extends SdkAutoCloseable> C track(C client) {
        opened.add(client);
        return client;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    @Override
    public synchronized void close() {
        opened.forEach(SdkAutoCloseable::close);
        opened.clear();
        if (credentials instanceof SdkAutoCloseable closeable) {
            closeable.close();
        }
        credentials = null;
    }
}
