package com.replyguard.bench.sim;

import java.util.Arrays;
import java.util.Locale;

/** The kinds of conversation in the simulated traffic; each conversation is one match. */
public enum Kind {
    SINGLE("single", "single message"),
    BRIDGE("bridge", "bridge double-enqueue (new SQS id, same messageId)"),
    REDELIVERY("redelivery", "SQS redelivery (same SQS message, after the visibility timeout)"),
    SLOW("slow", "slow generation: the message comes back while the first job runs"),
    RAPID("rapid", "rapid sequence of 2–5 different messages"),
    REPEAT_WITHIN("repeat-within", "same question again within 60 s"),
    REPEAT_AFTER("repeat-after", "same question again after 60 s"),
    NEAR_MISS("near-miss", "a different question sharing most words, within 60 s");

    public final String key;
    public final String description;

    Kind(String key, String description) {
        this.key = key;
        this.description = description;
    }

    public static Kind of(String key) {
        return Arrays.stream(values()).filter(k -> k.key.equals(key.toLowerCase(Locale.ROOT))).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown traffic kind " + key + "; known: "
                        + Arrays.stream(values()).map(k -> k.key).toList()));
    }
}
