package com.replyguard.bench.sim;

import com.replyguard.bench.sim.baseline.OriginalDesignWorker;
import com.replyguard.core.Job;
import com.replyguard.generator.ScriptedGenerator;
import com.replyguard.sink.StdoutSink;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A container running the original design ({@link OriginalDesignWorker}) with the same generator,
 * the same reply format and the same batch handling as the real handler (matches of a batch run
 * concurrently, the records of one match in order), so that only the guard differs.
 */
final class OriginalContainer implements SimContainer {

    private final OriginalDesignWorker worker;
    private final Queue<JobRecord> records;

    OriginalContainer(String redisUrl, SimConfig config, Path rules, Lines replies, Queue<JobRecord> records) {
        this.worker = new OriginalDesignWorker(redisUrl, Duration.ofSeconds(config.guardTtlSeconds()),
                Duration.ofMillis(300), ScriptedGenerator.create(rules, Duration.ofMillis(config.generatorMs())),
                new StdoutSink(replies.stream()), Clock.systemUTC());
        this.records = records;
    }

    @Override
    public Set<String> handle(List<SimQueue.Received> batch) {
        Map<String, List<SimQueue.Received>> byMatch = new LinkedHashMap<>();
        batch.forEach(r -> byMatch.computeIfAbsent(r.delivery().message().matchId(), k -> new ArrayList<>()).add(r));
        Set<String> failed = new HashSet<>();
        try (ExecutorService perMatch = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Set<String>>> futures = new ArrayList<>();
            for (List<SimQueue.Received> jobs : byMatch.values()) {
                futures.add(perMatch.submit(() -> {
                    Set<String> retry = new HashSet<>();
                    for (SimQueue.Received r : jobs) {
                        Traffic.UserMessage m = r.delivery().message();
                        Job job = new Job(m.matchId(), m.messageId(), r.delivery().sqsId(), r.receiveCount(), m.text(),
                                null, List.of(), null);
                        OriginalDesignWorker.Result result = worker.process(job);
                        records.add(new JobRecord(m.matchId(), m.messageId(), r.delivery().sqsId(), r.receiveCount(),
                                result.outcome(), result.guardMillis(), result.generations()));
                        if (result.outcome().equals("FAILED")) {
                            retry.add(r.delivery().sqsId());
                        }
                    }
                    return retry;
                }));
            }
            for (Future<Set<String>> f : futures) {
                failed.addAll(f.get());
            }
        } catch (Exception e) {
            throw new IllegalStateException("original-design container failed", e);
        }
        return failed;
    }

    @Override
    public void close() {
        worker.close();
    }
}
