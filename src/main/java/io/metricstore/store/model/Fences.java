package io.metricstore.store.model;

/**
 * The fence rule (SPEC §2): every successful acquire takes the next value of one store-wide counter, or the time in
 * milliseconds times {@value #PER_MILLI} if that is higher (a hybrid logical clock). A state that lost its counter or
 * got an older one back (a restarted memory backend, a Redis that lost its data, restarted from an older file or
 * failed over to a replica that missed the last acquires) therefore never issues a fence again, as long as the clock
 * that {@code now} comes from does not go back and the store issued, on average, fewer than {@value #PER_MILLI}
 * fences per millisecond. Values stay below 2^53, exact as JSON numbers, until the year 2248.
 */
public final class Fences {

    /** Acquires per millisecond that the time floor stays above. */
    public static final long PER_MILLI = 1024;

    private Fences() {
    }

    /** The floor at {@code nowMillis}: a new fence is above it and above every fence issued before. */
    public static long floor(long nowMillis) {
        return nowMillis * PER_MILLI;
    }

    /** The fence after {@code last} at {@code nowMillis}. */
    public static long next(long last, long nowMillis) {
        return Math.max(last, floor(nowMillis)) + 1;
    }
}
