package io.metricstore.store;

import io.metricstore.store.memory.MemoryBackend;
import io.metricstore.store.redis.RedisBackend;
import io.metricstore.store.redis.RedisGuard;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.Locale;

/** Builds the configured backend, after checking the configuration, and what the store needs around it. */
public class StoreProducer {

    @Produces
    @Singleton
    StoreBackend backend(StoreConfig config, Instance<RedisBackend> redis) {
        StoreConfigCheck.check(config);
        // Only the selected backend is created: with memory, no Redis client exists and nothing connects to Redis.
        return switch (config.backend()) {
            case memory -> new MemoryBackend(config);
            case redis -> redis.get();
        };
    }

    @Produces
    @Singleton
    StoreMetrics metrics(MeterRegistry registry, StoreBackend backend, Clock clock, Instance<RedisGuard> guard) {
        StoreMetrics metrics = new StoreMetrics(registry, backend, clock);
        if (backend instanceof RedisBackend) {
            RedisGuard redisGuard = guard.get();
            metrics.circuit(() -> redisGuard.circuit().name().toLowerCase(Locale.ROOT));
        }
        return metrics;
    }

    /** The wall clock; tests replace it with one they control. */
    @Produces
    @Singleton
    @DefaultBean
    Clock clock() {
        return Clock.systemUTC();
    }
}
