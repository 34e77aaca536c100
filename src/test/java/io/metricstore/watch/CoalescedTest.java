package io.metricstore.watch;

import static org.assertj.core.api.Assertions.assertThat;

import io.metricstore.Eventually;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Coalesced}: requests during a run cost one more run, however many they are; none is lost; runs never
 * overlap. Over real executors; a test knows every run has ended once the executor has terminated.
 */
class CoalescedTest {

    private final ExecutorService executor = Executors.newFixedThreadPool(4);

    @AfterEach
    void stop() throws InterruptedException {
        executor.shutdownNow();
        assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    /** Shuts the executor down and waits until every run it was given has ended. */
    private void quiesce() throws InterruptedException {
        executor.shutdown();
        assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).as("every run ended").isTrue();
    }

    @Test
    void aBurstOfRequestsDuringARunCostsExactlyOneMoreRun() throws InterruptedException {
        CountDownLatch firstRunStarted = new CountDownLatch(1);
        CountDownLatch releaseFirstRun = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        Coalesced coalesced = new Coalesced(executor, () -> {
            if (runs.incrementAndGet() == 1) {
                firstRunStarted.countDown();
                await(releaseFirstRun);
            }
        });

        coalesced.request();
        assertThat(firstRunStarted.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 1000; i++) {
            coalesced.request();
        }
        releaseFirstRun.countDown();
        quiesce();

        assertThat(runs).hasValue(2);
    }

    @Test
    void requestsWhileIdleEachRunOnce() throws InterruptedException {
        AtomicInteger runs = new AtomicInteger();
        Coalesced coalesced = new Coalesced(executor, runs::incrementAndGet);
        for (int i = 1; i <= 3; i++) {
            coalesced.request();
            int expected = i;
            awaitCondition(() -> runs.get() == expected);
        }
        quiesce();
        assertThat(runs).hasValue(3);
    }

    @Test
    void aFailingRunDoesNotStopLaterRequests() throws InterruptedException {
        AtomicInteger runs = new AtomicInteger();
        Coalesced coalesced = new Coalesced(executor, () -> {
            if (runs.incrementAndGet() == 1) {
                throw new IllegalStateException("backend down");
            }
        });
        coalesced.request();
        awaitCondition(() -> runs.get() == 1);
        coalesced.request();
        awaitCondition(() -> runs.get() == 2);
        quiesce();
        assertThat(runs).hasValue(2);
    }

    /**
     * Many threads each change the state, then request: the last run must see every change (a request is never
     * lost), no two runs overlap, and the runs are far fewer than the requests.
     */
    @Test
    void concurrentRequestsAreNeverLostAndRunsNeverOverlap() throws InterruptedException {
        int threads = 8;
        int perThread = 5000;
        AtomicLong state = new AtomicLong();
        AtomicLong seen = new AtomicLong();
        AtomicInteger running = new AtomicInteger();
        AtomicBoolean overlapped = new AtomicBoolean();
        AtomicInteger runs = new AtomicInteger();
        Coalesced coalesced = new Coalesced(executor, () -> {
            if (running.incrementAndGet() > 1) {
                overlapped.set(true);
            }
            runs.incrementAndGet();
            seen.set(state.get());
            running.decrementAndGet();
        });

        CountDownLatch start = new CountDownLatch(1);
        List<Thread> requesters = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread requester = new Thread(() -> {
                await(start);
                for (int i = 0; i < perThread; i++) {
                    state.incrementAndGet();
                    coalesced.request();
                }
            });
            requester.start();
            requesters.add(requester);
        }
        start.countDown();
        for (Thread requester : requesters) {
            requester.join(30_000);
            assertThat(requester.isAlive()).isFalse();
        }
        quiesce();

        assertThat(seen).as("the last run saw the last change").hasValue((long) threads * perThread);
        assertThat(overlapped).as("two runs at once").isFalse();
        assertThat(runs.get()).isBetween(1, threads * perThread);
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("latch not released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void awaitCondition(BooleanSupplier condition) {
        Eventually.until(condition, Duration.ofSeconds(10), "the runs requested");
    }
}
