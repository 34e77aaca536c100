package io.metricstore.bench;

import io.metricstore.store.Breaker;
import io.metricstore.store.CircuitState;
import io.metricstore.store.MetricStore;
import io.metricstore.store.RawPoint;
import io.metricstore.store.StoreBackend;
import io.metricstore.store.StoreConfig;
import io.metricstore.store.StoreMetrics;
import io.metricstore.store.TestConfigs;
import io.metricstore.store.WriteBatch;
import io.metricstore.store.memory.MemoryBackend;
import io.metricstore.store.model.RuntimeRole;
import io.metricstore.store.model.WriteResult;
import io.metricstore.store.model.WriteSource;
import io.metricstore.store.redis.RedisBackend;
import io.metricstore.store.redis.RedisGuard;
import io.metricstore.store.redis.RedisRetry;
import io.metricstore.store.redis.RedisWriteGuard;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * A {@link MetricStore} over the named backend, as the service builds it but without CDI, holding {@code size}
 * series written through {@link MetricStore#write} like {@code POST /points} writes them.
 *
 * <p>The clock is the system clock: Redis expires keys on its own wall-clock time, so the store's clock must agree
 * with it, and a fresh {@code updatedAt} then always passes the retention (1h) and clock-skew (5m) checks.
 *
 * <p>Outside CDI, {@link RedisGuard} only calls through: its timeout, retries and circuit breaker are CDI
 * interceptors, so the Redis figures leave out the cost of SmallRye Fault Tolerance. The store's telemetry goes to
 * a {@code SimpleMeterRegistry} instead of the service's Prometheus registry.
 */
final class StoreFixture implements AutoCloseable {

    /** Series spread over this many metric names, as many exporters' series are. */
    private static final int FAMILIES = 100;
    private static final int FILL_BATCH = 1000;

    final Clock clock = Clock.systemUTC();
    final MetricStore store;
    private final BenchRedis redis;
    private final String[] names = new String[FAMILIES];
    private final List<Map<String, String>> labels;
    /** Changes the value on every write, so a point whose updatedAt equals the stored one is still applied. */
    private long version;

    private StoreFixture(StoreBackend backend, BenchRedis redis, int size) {
        StoreMetrics metrics = new StoreMetrics(new SimpleMeterRegistry(), backend, clock);
        this.store = new MetricStore(backend, config(), clock, metrics);
        this.redis = redis;
        for (int i = 0; i < FAMILIES; i++) {
            names[i] = "bench_metric_" + i;
        }
        this.labels = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            labels.add(Map.of("job", "bench", "instance", "host-" + i));
        }
        for (int from = 0; from < size; from += FILL_BATCH) {
            write(points(from, Math.min(FILL_BATCH, size - from)));
        }
    }

    /** The service's defaults (store.retention 1h, max-clock-skew 5m, max-series 500000, max-batch 10000). */
    private static StoreConfig config() {
        return TestConfigs.config();
    }

    static StoreFixture open(String backend, int size) throws IOException, InterruptedException {
        return switch (StoreConfig.Backend.valueOf(backend)) {
            case memory -> new StoreFixture(new MemoryBackend(config()), null, size);
            case redis -> {
                BenchRedis redis = BenchRedis.start();
                try {
                    redis.dataSource.flushall();
                    RedisGuard guard = guardOutsideCdi();
                    RedisBackend redisBackend = new RedisBackend(redis.dataSource, config(), guard,
                            new RedisWriteGuard(guard), new RedisRetry(), Clock.systemUTC());
                    yield new StoreFixture(redisBackend, redis, size);
                } catch (RuntimeException e) {
                    redis.close();
                    throw e;
                }
            }
        };
    }

    /** A guard without its interceptors, and without breakers to report: their circuits are always closed. */
    private static RedisGuard guardOutsideCdi() {
        return new RedisGuard(null, ConfigProvider.getConfig()) {
            @Override
            public CircuitState circuit(Breaker breaker) {
                return CircuitState.CLOSED;
            }
        };
    }

    int size() {
        return labels.size();
    }

    /**
     * New points for the {@code count} series from index {@code from} on (wrapping around), as a client sends
     * them: updatedAt is now, and the value differs from the last write so every point is applied.
     */
    List<RawPoint> points(int from, int count) {
        RawPoint.RawValue value = new RawPoint.RawValue(Long.toString(++version), false);
        String updatedAt = clock.instant().truncatedTo(ChronoUnit.MILLIS).toString();
        List<RawPoint> points = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int series = (from + i) % labels.size();
            points.add(new RawPoint(names[series % FAMILIES], labels.get(series), value, updatedAt));
        }
        return points;
    }

    /** Writes a batch and checks that every point was applied: an unchanged or stale point would measure less. */
    WriteResult write(List<RawPoint> points) {
        WriteResult result = store.write(new WriteBatch(RuntimeRole.LEADER, WriteSource.LEADER_SCRAPE, points));
        if (result.applied() != points.size()) {
            throw new IllegalStateException("applied " + result.applied() + " of " + points.size() + " points: "
                    + result);
        }
        return result;
    }

    @Override
    public void close() throws InterruptedException {
        if (redis != null) {
            redis.close();
        }
    }
}
