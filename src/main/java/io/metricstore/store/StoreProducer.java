package io.metricstore.store;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

/** Selects the configured backend, after checking the configuration, and builds what the store needs around it. */
public class StoreProducer {

    @Produces
    @Singleton
    StoreBackend backend(StoreConfig config, @Any Instance<StoreBackend> backends) {
        StoreConfigCheck.check(config);
        // Only the selected backend is created: with memory, no Redis client exists and nothing connects to Redis.
        return backends.select(new ForBackend.Literal(config.backend())).get();
    }

    @Produces
    @Singleton
    StoreMetrics metrics(MeterRegistry registry, StoreBackend backend, Clock clock) {
        return new StoreMetrics(registry, backend, clock);
    }

    /** The wall clock; tests replace it with one they control. */
    @Produces
    @Singleton
    @DefaultBean
    Clock clock() {
        return Clock.systemUTC();
    }
}
