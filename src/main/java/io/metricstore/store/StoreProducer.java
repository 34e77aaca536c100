package io.metricstore.store;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

/** Builds the configured backend, after checking the configuration, and what the store needs around it. */
public class StoreProducer {

    @Produces
    @Singleton
    StoreBackend backend(StoreConfig config) {
        StoreConfigCheck.check(config);
        return switch (config.backend()) {
            case memory -> new MemoryStore(config);
        };
    }

    @Produces
    @Singleton
    StoreMetrics metrics(MeterRegistry registry, StoreBackend backend) {
        return new StoreMetrics(registry, backend);
    }

    /** The wall clock; tests replace it with one they control. */
    @Produces
    @Singleton
    @DefaultBean
    Clock clock() {
        return Clock.systemUTC();
    }
}
