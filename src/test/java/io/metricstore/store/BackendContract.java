package io.metricstore.store;

import io.metricstore.store.model.Cursor;
import io.metricstore.store.model.Delta;
import io.metricstore.store.model.Series;
import io.metricstore.store.model.WriteResult;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The set-up the backend contracts share: each test starts on an empty store over the backend under test, reached
 * through the one entry point, {@link MetricStore}, whose clock the test moves. The rules that hold whatever the
 * backend are the contracts extending this ({@link WriteContract}, {@link FeedContract}, {@link RetentionContract},
 * {@link LockContract}); a backend's test class of a contract only says how to make an empty backend. Rules that do
 * not depend on the backend (validation, the write guard, parsing at the edge) are unit tests of their own class.
 */
public abstract class BackendContract {

    /**
     * The wall clock's time when the test starts, so that a backend's own expiry (Redis TTLs) agrees with the test's
     * clock however long the suite has been running.
     */
    protected final Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    protected MutableClock clock;
    protected StoreBackend backend;
    protected MetricStore store;
    protected StoreConfig config;
    private TestStore current;
    private final List<ExecutorService> pools = new ArrayList<>();

    /** A backend holding no state, configured by {@code config}. */
    protected abstract StoreBackend newBackend(StoreConfig config);

    /** Properties a backend needs beside the base ones, for example a namespace of its own for every store. */
    protected String[] backendConfig() {
        return new String[0];
    }

    @BeforeEach
    void startEmpty() {
        use();
    }

    @AfterEach
    void stopPools() {
        pools.forEach(ExecutorService::shutdownNow);
    }

    /** Replaces the store with an empty one using the base configuration plus {@code overrides}. */
    protected void use(String... overrides) {
        List<String> properties = new ArrayList<>(List.of(backendConfig()));
        properties.addAll(List.of(overrides));
        current = new TestStore(t0, this::newBackend, properties.toArray(String[]::new));
        config = current.config;
        clock = current.clock;
        backend = current.backend;
        store = current.store;
    }

    // ---- helpers (see TestStore)

    protected WriteResult scrape(RawPoint... points) {
        return current.scrape(points);
    }

    protected WriteResult backfill(RawPoint... points) {
        return current.backfill(points);
    }

    protected Map<String, Series> live() {
        return current.live();
    }

    protected double valueOf(String id) {
        return current.valueOf(id);
    }

    protected Delta changesSince(Cursor cursor) {
        return current.changesSince(cursor);
    }

    /** Runs {@code jobs} on threads of their own, all released at once by {@code start}, and waits for them all. */
    protected <T> List<T> run(List<Callable<T>> jobs, CountDownLatch start) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(jobs.size());
        pools.add(pool);
        List<Future<T>> futures = new ArrayList<>();
        for (Callable<T> job : jobs) {
            futures.add(pool.submit(job));
        }
        start.countDown();
        List<T> results = new ArrayList<>();
        for (Future<T> future : futures) {
            results.add(future.get(60, TimeUnit.SECONDS));
        }
        return results;
    }
}
