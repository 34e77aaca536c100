package io.metricstore;

import io.metricstore.store.MutableClock;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Replaces the wall clock in {@code @QuarkusTest}s, so tests move time instead of sleeping. */
public class TestClockProducer {

    /** The wall clock's time at start, so that Redis' own key expiry agrees with the application's clock. */
    public static final Instant START = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    @Produces
    @Singleton
    MutableClock clock() {
        return new MutableClock(START);
    }
}
