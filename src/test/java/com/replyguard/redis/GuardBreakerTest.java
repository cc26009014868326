package com.replyguard.redis;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GuardBreakerTest {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final List<String> events = new ArrayList<>();
    private final GuardBreaker breaker = new GuardBreaker(3, Duration.ofSeconds(2), nanos::get, new GuardBreaker.Listener() {
        @Override
        public void opened(int consecutiveFailures, Duration cooldown, String cause) {
            events.add("opened after " + consecutiveFailures + " (" + cause + ")");
        }

        @Override
        public void closed(Duration wasOpenFor) {
            events.add("closed after " + wasOpenFor.toMillis() + " ms");
        }
    });

    private void fail(int times) {
        for (int i = 0; i < times; i++) {
            breaker.failed(breaker.acquire(), new io.lettuce.core.RedisCommandTimeoutException());
        }
    }

    private void advance(long millis) {
        nanos.addAndGet(millis * 1_000_000);
    }

    @Test
    void shouldStayClosed_untilTheThresholdOfConsecutiveFailures() {
        fail(2);
        breaker.succeeded(breaker.acquire()); // a success resets the count
        fail(2);
        assertThat(breaker.state()).isEqualTo(GuardBreaker.State.CLOSED);
        assertThat(breaker.acquire().kind()).isEqualTo(GuardBreaker.Kind.CALL);
        assertThat(events).isEmpty();
    }

    @Test
    void shouldFailFast_whileOpen_andSayWhenItWillProbe() {
        fail(3);
        assertThat(breaker.state()).isEqualTo(GuardBreaker.State.OPEN);
        assertThat(events).containsExactly("opened after 3 (RedisCommandTimeoutException)");
        advance(500);
        assertThatThrownBy(breaker::acquire).isInstanceOf(GuardBreaker.OpenException.class)
                .hasMessageContaining("after 3 consecutive failures").hasMessageContaining("next probe in 1500 ms");
    }

    @Test
    void shouldLetExactlyOneProbeThrough_afterTheCooldown_andCloseWhenItSucceeds() {
        fail(3);
        advance(2_000);
        assertThat(breaker.state()).isEqualTo(GuardBreaker.State.HALF_OPEN);
        GuardBreaker.Permit probe = breaker.acquire();
        assertThat(probe.kind()).isEqualTo(GuardBreaker.Kind.PROBE);
        assertThatThrownBy(breaker::acquire).isInstanceOf(GuardBreaker.OpenException.class).hasMessageContaining("probe is running");
        advance(40);
        breaker.succeeded(probe);
        assertThat(breaker.state()).isEqualTo(GuardBreaker.State.CLOSED);
        assertThat(breaker.acquire().kind()).isEqualTo(GuardBreaker.Kind.CALL);
        assertThat(events).containsExactly("opened after 3 (RedisCommandTimeoutException)", "closed after 2040 ms");
    }

    @Test
    void shouldReopenForAnotherCooldown_whenTheProbeFails() {
        fail(3);
        advance(2_000);
        GuardBreaker.Permit probe = breaker.acquire();
        assertThat(breaker.failed(probe, new io.lettuce.core.RedisConnectionException("refused"))).isTrue();
        assertThat(breaker.state()).isEqualTo(GuardBreaker.State.OPEN);
        advance(1_999);
        assertThatThrownBy(breaker::acquire).isInstanceOf(GuardBreaker.OpenException.class);
        advance(1);
        assertThat(breaker.acquire().kind()).isEqualTo(GuardBreaker.Kind.PROBE);
        assertThat(events).hasSize(1); // one "opened" event per outage, not one per failed probe
    }

    @Test
    void shouldStayOpen_whenALateSuccessOfACallMadeBeforeItOpenedArrivesWhileAProbeRuns() {
        GuardBreaker.Permit slow = breaker.acquire(); // issued while closed; its answer comes late
        fail(3);
        advance(2_000);
        GuardBreaker.Permit probe = breaker.acquire();

        breaker.succeeded(slow);

        assertThat(breaker.state()).as("a stale success does not close it").isEqualTo(GuardBreaker.State.HALF_OPEN);
        assertThatThrownBy(breaker::acquire).isInstanceOf(GuardBreaker.OpenException.class).hasMessageContaining("probe is running");
        breaker.succeeded(probe);
        assertThat(breaker.state()).isEqualTo(GuardBreaker.State.CLOSED);
    }

    @Test
    void shouldIgnoreALateFailureOfACallMadeBeforeItClosed() {
        fail(2);
        GuardBreaker.Permit slow = breaker.acquire();
        fail(1); // opens
        advance(2_000);
        breaker.succeeded(breaker.acquire()); // the probe closes it
        breaker.failed(slow, new io.lettuce.core.RedisCommandTimeoutException());
        fail(2);
        assertThat(breaker.state()).as("the stale failure is not counted").isEqualTo(GuardBreaker.State.CLOSED);
    }

    @Test
    void shouldHoldTheReturnWait_fromTheStepThatOpensIt_whenRedisMayBeBackSoon() {
        // a caller that finds the breaker open while its opener is still being logged must see the wait too:
        // the breaker is observed from inside the listener, called after the opening step
        long[] seenByOthers = new long[1];
        GuardBreaker[] holder = new GuardBreaker[1];
        holder[0] = new GuardBreaker(1, Duration.ofSeconds(2), Duration.ofMillis(1_200), nanos::get, new GuardBreaker.Listener() {
            @Override
            public void opened(int consecutiveFailures, Duration cooldown, String cause) {
                seenByOthers[0] = holder[0].returnUntil() - nanos.get();
            }

            @Override
            public void closed(Duration wasOpenFor) {
            }
        });
        GuardBreaker lost = holder[0];

        lost.failed(lost.acquire(), new io.lettuce.core.RedisException("Currently not connected. Commands are rejected."), true);

        assertThat(seenByOthers[0]).as("the return wait, as seen while the opening is logged").isEqualTo(1_200_000_000L);
        advance(1_200);
        assertThat(lost.returnUntil()).as("it ends with the return wait").isEqualTo(nanos.get());
        lost.succeeded(lost.acquireBackgroundProbe());
        assertThat(lost.returnUntil()).as("closed: nothing to wait for").isEqualTo(nanos.get());

        lost.failed(lost.acquire(), new io.lettuce.core.RedisCommandTimeoutException(), false);
        assertThat(lost.returnUntil()).as("a timeout spent its wait already: none more").isEqualTo(nanos.get());
    }

    @Test
    void shouldLetTheRetryOfAnUnknownResultThrough_whileOpen_andCloseWhenItSucceeds() {
        GuardBreaker one = new GuardBreaker(1, Duration.ofSeconds(2), nanos::get, new GuardBreaker.Listener() {
            @Override
            public void opened(int consecutiveFailures, Duration cooldown, String cause) {
                events.add("opened");
            }

            @Override
            public void closed(Duration wasOpenFor) {
                events.add("closed");
            }
        });
        one.failed(one.acquire(), new io.lettuce.core.RedisCommandTimeoutException()); // one timeout opens it
        assertThatThrownBy(one::acquire).isInstanceOf(GuardBreaker.OpenException.class);
        GuardBreaker.Permit retry = one.acquireRetry();
        assertThat(retry.kind()).isEqualTo(GuardBreaker.Kind.RETRY);
        one.succeeded(retry);
        assertThat(one.state()).isEqualTo(GuardBreaker.State.CLOSED);
        assertThat(events).containsExactly("opened", "closed");
    }

    @Test
    void shouldOpenOnce_andAdmitOneProbe_whenManyThreadsFailAndRetryAtOnce() throws Exception {
        int threads = 16;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                done.add(pool.submit(() -> {
                    start.await(5, TimeUnit.SECONDS);
                    try {
                        breaker.failed(breaker.acquire(), null);
                    } catch (GuardBreaker.OpenException e) {
                        // already open: failing fast is the point
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(5, TimeUnit.SECONDS);
            }
            assertThat(events).hasSize(1);

            advance(2_000);
            CountDownLatch probes = new CountDownLatch(threads);
            AtomicLong granted = new AtomicLong();
            CyclicBarrier again = new CyclicBarrier(threads);
            for (int i = 0; i < threads; i++) {
                pool.submit(() -> {
                    again.await(5, TimeUnit.SECONDS);
                    try {
                        breaker.acquire();
                        granted.incrementAndGet();
                    } catch (GuardBreaker.OpenException e) {
                        // the others fail fast while the probe runs
                    }
                    probes.countDown();
                    return null;
                });
            }
            assertThat(probes.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(granted.get()).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }
}
