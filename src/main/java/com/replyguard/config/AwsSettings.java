package com.replyguard.config;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Where the AWS services are: the region Lambda runs in ({@code AWS_REGION}, set by Lambda itself)
 * and, for local runs and tests only, endpoint overrides under the AWS SDK's own variable names
 * ({@code AWS_ENDPOINT_URL}, {@code AWS_ENDPOINT_URL_SQS}, {@code AWS_ENDPOINT_URL_BEDROCK_RUNTIME},
 * {@code AWS_ENDPOINT_URL_SECRETS_MANAGER}). Credentials are never configured here: the SDK's
 * default chain finds the function's role.
 *
 * @param region          {@code AWS_REGION}, or {@code null} when unset (then no AWS service can be used)
 * @param endpoints       service id (as in the variable names: {@code SQS}, {@code BEDROCK_RUNTIME},
 *                        {@code SECRETS_MANAGER}) to endpoint; key {@code ""} is {@code AWS_ENDPOINT_URL}
 * @param functionTimeout the Lambda function's timeout ({@code FUNCTION_TIMEOUT_SECONDS}, set by the
 *                        template), or {@code null}; used to check that time budgets fit inside it
 * @param jobsVisibilityTimeout the jobs queue's visibility timeout ({@code JOBS_VISIBILITY_TIMEOUT_SECONDS},
 *                        set by the template), or {@code null}; must be at least 6 x the function timeout
 * @param jobsMaxReceiveCount the jobs queue's maxReceiveCount ({@code JOBS_MAX_RECEIVE_COUNT}, set by the
 *                        template; 5 when unset): receives of a record before SQS moves it to the DLQ
 * @param initialization  how Lambda initialises this container ({@code AWS_LAMBDA_INITIALIZATION_TYPE}:
 *                        {@code on-demand}, {@code provisioned-concurrency}, {@code snap-start}), or
 *                        {@code null} off Lambda (local runs, tests)
 */
public record AwsSettings(String region, Map<String, URI> endpoints, Duration functionTimeout,
                          Duration jobsVisibilityTimeout, int jobsMaxReceiveCount, String initialization) {

    /** Without the deployment's timeouts: local runs and tests. */
    public AwsSettings(String region, Map<String, URI> endpoints, Duration functionTimeout) {
        this(region, endpoints, functionTimeout, null, 5, null);
    }

    /**
     * Whether the hot paths are primed in the init phase: on Lambda without SnapStart (with SnapStart
     * the client primes through the {@code beforeCheckpoint} hook, before the snapshot).
     */
    public boolean primesAtInit() {
        return "on-demand".equals(initialization) || "provisioned-concurrency".equals(initialization);
    }

    /** The services reply-guard talks to, named as in the SDK's {@code AWS_ENDPOINT_URL_<SERVICE>}. */
    public static final String SQS = "SQS";
    public static final String BEDROCK_RUNTIME = "BEDROCK_RUNTIME";
    public static final String SECRETS_MANAGER = "SECRETS_MANAGER";

    public AwsSettings {
        endpoints = Map.copyOf(endpoints);
    }

    static AwsSettings from(Environment env) {
        Map<String, URI> endpoints = new LinkedHashMap<>();
        if (env.text("AWS_ENDPOINT_URL") != null) {
            endpoints.put("", env.httpUrl("AWS_ENDPOINT_URL", ""));
        }
        for (String service : new String[] {SQS, BEDROCK_RUNTIME, SECRETS_MANAGER}) {
            String name = "AWS_ENDPOINT_URL_" + service;
            if (env.text(name) != null) {
                endpoints.put(service, env.httpUrl(name, ""));
            }
        }
        String region = env.text("AWS_REGION");
        if (region != null && !region.matches("[a-z]{2}(-[a-z0-9]+)+-\\d+")) {
            throw new ConfigException("AWS_REGION must be a region name such as eu-west-3, got '" + region + "'");
        }
        Duration functionTimeout = env.text("FUNCTION_TIMEOUT_SECONDS") == null ? null
                : env.seconds("FUNCTION_TIMEOUT_SECONDS", 0, 1, 900);
        Duration visibility = env.text("JOBS_VISIBILITY_TIMEOUT_SECONDS") == null ? null
                : env.seconds("JOBS_VISIBILITY_TIMEOUT_SECONDS", 0, 0, 43_200);
        return new AwsSettings(region, endpoints, functionTimeout, visibility,
                (int) env.number("JOBS_MAX_RECEIVE_COUNT", 5, 1, 1_000, "receives"), env.text("AWS_LAMBDA_INITIALIZATION_TYPE"));
    }

    /** The region, or a start failure naming what needs it. */
    public String requireRegion(String neededBy) {
        if (region == null) {
            throw new ConfigException("AWS_REGION is required with " + neededBy + " (Lambda sets it; set it for local runs)");
        }
        return region;
    }

    /** The endpoint override for a service ({@link #SQS}…), or {@code null} for the SDK's regional endpoint. */
    public URI endpoint(String service) {
        URI specific = endpoints.get(service.toUpperCase(Locale.ROOT));
        return specific != null ? specific : endpoints.get("");
    }

    @Override
    public String toString() {
        return "aws=" + (region == null ? "no region" : region) + (endpoints.isEmpty() ? "" : ", endpoints=" + endpoints.keySet());
    }
}
