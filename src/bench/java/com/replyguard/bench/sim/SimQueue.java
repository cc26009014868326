package com.replyguard.bench.sim;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An in-memory stand-in for the SQS jobs queue and Lambda's poller (batching window 0): a container
 * receives up to a batch of the messages visible at that moment; a received message is invisible to
 * the others; a record reported in {@code batchItemFailures} comes back after the visibility timeout,
 * up to {@code maxReceiveCount} receives (then it goes to the dead-letter queue). The traffic's
 * scripted comebacks (a lost deletion, a generation outliving the visibility timeout) are scheduled
 * when the message is first received, relative to that moment.
 */
public final class SimQueue {

    /** A message handed to a container. */
    public record Received(Traffic.Delivery delivery, int receiveCount) {
    }

    private record Pending(long visibleAt, long seq, Traffic.Delivery delivery, int receivedBefore) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final PriorityQueue<Pending> queue = new PriorityQueue<>(
            Comparator.comparingLong(Pending::visibleAt).thenComparingLong(Pending::seq));
    private final SimConfig config;
    private final Random random;
    private long seq;
    private int outstanding;
    private int deadLettered;
    private int retried;
    private boolean closed;

    SimQueue(SimConfig config, long seed) {
        this.config = config;
        this.random = new Random(seed);
    }

    /** Enqueues every delivery of the traffic at its time, counted from {@code origin} (System.nanoTime). */
    void load(Traffic traffic, long origin) {
        lock.lock();
        try {
            for (Traffic.Delivery delivery : traffic.deliveries()) {
                add(origin + config.realNanos(delivery.atWorldMs()), delivery, 0);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Blocks until at least one message is visible, then takes up to {@code max} of those visible. */
    List<Received> take(int max) throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                if (closed) {
                    return List.of();
                }
                Pending head = queue.peek();
                long now = System.nanoTime();
                if (head == null) {
                    changed.await();
                } else if (head.visibleAt() > now) {
                    changed.awaitNanos(head.visibleAt() - now);
                } else {
                    List<Received> batch = new ArrayList<>();
                    while (batch.size() < max && !queue.isEmpty() && queue.peek().visibleAt() <= now) {
                        Pending p = queue.poll();
                        int receiveCount = p.receivedBefore() + 1;
                        batch.add(new Received(p.delivery(), receiveCount));
                        if (receiveCount == 1) {
                            comeback(p.delivery(), now);
                        }
                    }
                    return batch;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** A container finished a batch: delete the messages, except failed ones, which come back later. */
    void done(List<Received> batch, Set<String> failedSqsIds) {
        lock.lock();
        try {
            long now = System.nanoTime();
            for (Received r : batch) {
                if (failedSqsIds.contains(r.delivery().sqsId())) {
                    if (r.receiveCount() < config.maxReceiveCount()) {
                        retried++;
                        add(now + config.realNanos(config.visibilityTimeoutWorldSeconds() * 1000L), r.delivery(), r.receiveCount());
                    } else {
                        deadLettered++;
                    }
                }
                outstanding--;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until every message was received and deleted (or dead-lettered), then releases the pollers. */
    boolean awaitDrained(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        lock.lock();
        try {
            while (outstanding > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                changed.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
            }
            closed = true;
            changed.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    int deadLettered() {
        lock.lock();
        try {
            return deadLettered;
        } finally {
            lock.unlock();
        }
    }

    int retried() {
        lock.lock();
        try {
            return retried;
        } finally {
            lock.unlock();
        }
    }

    private void comeback(Traffic.Delivery delivery, long receivedAt) {
        switch (delivery.comeback()) {
            case NONE -> {
            }
            case AFTER_VISIBILITY_TIMEOUT ->
                    add(receivedAt + config.realNanos(config.visibilityTimeoutWorldSeconds() * 1000L), delivery, 1);
            case DURING_GENERATION -> {
                // back while the first job is still generating: 20–80 % into the generation
                long during = (long) ((0.2 + 0.6 * random.nextDouble()) * config.generatorMs() * 1_000_000L);
                add(receivedAt + during, delivery, 1);
            }
        }
    }

    private void add(long visibleAt, Traffic.Delivery delivery, int receivedBefore) {
        queue.add(new Pending(visibleAt, seq++, delivery, receivedBefore));
        outstanding++;
        changed.signalAll();
    }
}
