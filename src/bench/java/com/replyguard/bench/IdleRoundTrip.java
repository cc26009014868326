package com.replyguard.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The round-trip floor as a guard call meets it in the simulator: a {@code PING} from a virtual
 * thread after the client sat idle (here 20 ms), not back to back as in a JMH loop. On an idle
 * machine, waking the threads on both sides costs more than the round trip itself.
 */
public final class IdleRoundTrip {

    /** Percentiles in milliseconds. */
    public record Floor(double p50, double p99, int samples) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "p50 %.2f ms, p99 %.2f ms (%d PINGs, each after 20 ms idle, from a virtual thread)",
                    p50, p99, samples);
        }
    }

    private IdleRoundTrip() {
    }

    public static Floor measure(String url, int samples) {
        RedisClient client = RedisClient.create(url);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisCommands<String, String> redis = connection.sync();
            for (int i = 0; i < 200; i++) {
                redis.ping();
            }
            List<Double> millis = Collections.synchronizedList(new ArrayList<>());
            Thread thread = Thread.ofVirtual().start(() -> {
                for (int i = 0; i < samples; i++) {
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                    long start = System.nanoTime();
                    redis.ping();
                    millis.add((System.nanoTime() - start) / 1e6);
                }
            });
            thread.join();
            List<Double> sorted = new ArrayList<>(millis);
            Collections.sort(sorted);
            return new Floor(sorted.get(sorted.size() / 2), sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1), sorted.size());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            client.shutdown();
        }
    }
}
