package io.metricstore.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.metricstore.store.memory.MemoryBackend;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** The store's own telemetry: lease meters stay bounded whatever names clients use. */
class StoreMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MutableClock clock = new MutableClock(TestStore.T0);
    private final StoreConfig config = TestConfigs.config();
    private final MemoryBackend backend = new MemoryBackend(config);
    private final MetricStore store = new MetricStore(backend, config, clock, new StoreMetrics(registry, backend, clock));

    @Test
    void aLeaseChangesHandsWhenItsFenceDoes() {
        store.campaign("leader", Duration.ofSeconds(1), "a", null, MetricStore.ANONYMOUS);
        store.campaign("leader", Duration.ofSeconds(1), "a", null, MetricStore.ANONYMOUS);
        store.observe("leader");
        clock.advance(Duration.ofSeconds(1));
        long fence = store.campaign("leader", Duration.ofSeconds(1), "b", null, MetricStore.ANONYMOUS).fence();
        assertThat(registry.get("store_lease_changes_total").tag("name", "leader").counter().count()).isEqualTo(2);
        assertThat(registry.get("store_lease_fence").tag("name", "leader").gauge().value()).isEqualTo(fence);
    }

    /** Racing campaigns on new names never pass the bound together. */
    @RepeatedTest(3)
    void atMostAHundredLeaseNamesGetMetersEvenWhenCampaignsRace() throws Exception {
        int threads = 64;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 10; i++) {
                        store.campaign("lease-" + thread + "-" + i, Duration.ofSeconds(30), null, null,
                                MetricStore.ANONYMOUS);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : done) {
                future.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(registry.find("store_lease_fence").gauges()).hasSize(StoreMetrics.TRACKED_LEASES);
        assertThat(registry.find("store_lease_changes_total").counters()).hasSize(StoreMetrics.TRACKED_LEASES);
    }
}
