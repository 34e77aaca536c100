package io.metricstore.store.model;

/**
 * The fence rule (SPEC §2): every successful acquire takes the next value of one store-wide counter, and the first
 * acquire of a new state (a new memory backend, a Redis that lost its data) seeds that counter with its time in
 * milliseconds times {@value #PER_MILLI}. A fence is therefore never issued twice as long as the clock that seeds
 * the counter does not go back and the store issued, on average, fewer than {@value #PER_MILLI} fences per
 * millisecond since the state was last created. Values stay below 2^53, exact as JSON numbers, until the year 2248.
 */
public final class Fences {

    /** Acquires per millisecond that a new seed stays above. */
    public static final long PER_MILLI = 1024;

    private Fences() {
    }

    /** The counter's value for a state created at {@code nowMillis}; the first fence is one above it. */
    public static long seed(long nowMillis) {
        return nowMillis * PER_MILLI;
    }
}
