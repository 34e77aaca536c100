package io.metricstore.watch;

import io.metricstore.store.StoreConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The waiting slots of this replica ({@code store.changes.max-waiters}), one count for every kind of wait: long-polls
 * of the feed, change streams and long-polls of leases. Each wait holds an open connection, which is what the bound
 * protects, whatever it waits for.
 */
@Singleton
public class WaitSlots {

    private final int max;
    private final AtomicInteger taken = new AtomicInteger();

    @Inject
    public WaitSlots(StoreConfig config, MeterRegistry registry) {
        this(config);
        Gauge.builder("store_changes_waiters", taken, AtomicInteger::get)
                .description("Long-polls (of the feed and of leases) and change streams waiting on this replica")
                .register(registry);
    }

    public WaitSlots(StoreConfig config) {
        this.max = config.changes().maxWaiters();
    }

    /** Slots taken now. */
    public int taken() {
        return taken.get();
    }

    /**
     * Takes a slot.
     *
     * @throws TooManyWaiters when every slot is taken
     */
    void take() {
        if (taken.incrementAndGet() > max) {
            taken.decrementAndGet();
            throw new TooManyWaiters(max);
        }
    }

    /**
     * Refuses when every slot is taken, taking none: a stream is refused when it opens, before its response starts,
     * and takes its slot later ({@link #takeAdmitted}).
     *
     * @throws TooManyWaiters when every slot is taken
     */
    void requireFree() {
        if (taken.get() >= max) {
            throw new TooManyWaiters(max);
        }
    }

    /** Takes a slot for a wait admitted by {@link #requireFree}, even if others took the last ones meanwhile. */
    void takeAdmitted() {
        taken.incrementAndGet();
    }

    void free() {
        taken.decrementAndGet();
    }
}
