package io.metricstore.store.model;

import java.time.Duration;

/**
 * The fence rule (SPEC §2): every successful acquire takes the next value of one store-wide counter, or the time in
 * milliseconds times {@value #PER_MILLI} if that is higher (a hybrid logical clock). A state that lost its counter or
 * got an older one back (a restarted memory backend, a Redis that lost its data, restarted from an older file or
 * failed over to a replica that missed the last acquires) therefore never issues a fence again, as long as the clock
 * that {@code now} comes from does not go back and the store issued, on average, fewer than {@value #PER_MILLI}
 * fences per millisecond. Values stay below 2^53, exact as JSON numbers, until the year 2248.
 *
 * <p>With several replicas, each with its own clock, the fences a lost state issued may lie above the floor of a
 * replica whose clock lags the one that issued them; and after a failover a deposed primary may go on issuing fences
 * from the floor for a while. A shared backend that finds its state may have gone back therefore raises the counter
 * to the {@link #seed} first: the floor of now plus twice the skew any replica may have, plus {@link #FAILOVER_GAP}.
 * That rests on a deposed primary issuing no fence later than {@link #FAILOVER_GAP} after the failover, and on the
 * counter never running further ahead of the floor than that (a burst of more than 1,024 fences per millisecond
 * sustained for the gap).
 */
public final class Fences {

    /** Acquires per millisecond that the time floor stays above. */
    public static final long PER_MILLI = 1024;
    /** How far ahead of the time floor a state that may have gone back restarts its counter. */
    public static final Duration FAILOVER_GAP = Duration.ofHours(1);

    private Fences() {
    }

    /** The floor at {@code nowMillis}: a new fence is above it and above every fence issued before. */
    public static long floor(long nowMillis) {
        return nowMillis * PER_MILLI;
    }

    /**
     * Where the counter of a state that may have come back older restarts: above every fence issued before by any
     * replica whose clock was within {@code maxSkewMillis} of the shared one, and by a deposed primary within
     * {@link #FAILOVER_GAP} of now. Each such restart spends about 3.7 billion of the values below 2^53.
     */
    public static long seed(long nowMillis, long maxSkewMillis) {
        return floor(nowMillis + 2 * maxSkewMillis + FAILOVER_GAP.toMillis());
    }

    /** The fence after {@code last} at {@code nowMillis}. */
    public static long next(long last, long nowMillis) {
        return Math.max(last, floor(nowMillis)) + 1;
    }
}
