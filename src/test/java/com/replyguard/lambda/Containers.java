package com.replyguard.lambda;

import com.replyguard.config.WorkerConfig;
import com.replyguard.testing.Capture;
import com.replyguard.testing.RealRedis;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/** Simulated Lambda containers: each a handler with its own Redis client, as Lambda would create. */
final class Containers {

    private Containers() {
    }

    /** The environment of a test container: the shared test Redis, scripted generator, stdout sink. */
    static Map<String, String> env(String... overrides) {
        Map<String, String> redis = new HashMap<>(RealRedis.env()); // REDIS_URL, and REDIS_CLUSTER / REDIS_TLS_CA_FILE
        // Generous: a loaded CI machine must not turn a slow answer into a bypass in these tests.
        redis.put("REDIS_TIMEOUT_MS", "5000");
        return env(redis, overrides);
    }

    /** A container's environment: these Redis variables, the scripted generator, the stdout sink, then overrides. */
    static Map<String, String> env(Map<String, String> redis, String... overrides) {
        Map<String, String> env = new HashMap<>(redis);
        env.put("GENERATOR", "scripted");
        env.put("REPLY_SINK", "stdout");
        for (int i = 0; i + 1 < overrides.length; i += 2) {
            env.put(overrides[i], overrides[i + 1]);
        }
        return env;
    }

    static ReplyGuardHandler start(Map<String, String> env, Clock clock, Capture log, Capture replies) {
        return new ReplyGuardHandler(WorkerConfig.fromEnvironment(env), clock, log.stream(), replies.stream());
    }
}
