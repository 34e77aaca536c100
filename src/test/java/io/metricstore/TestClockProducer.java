package io.metricstore;

import io.metricstore.store.MutableClock;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Instant;

/** Replaces the wall clock in {@code @QuarkusTest}s, so tests move time instead of sleeping. */
public class TestClockProducer {

    public static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    @Produces
    @Singleton
    MutableClock clock() {
        return new MutableClock(START);
    }
}
