package io.metricstore.store.redis;

import io.metricstore.store.BackendUnavailableException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What this replica checks about the Redis server outside the scripts (SPEC §5): that its clock is within
 * {@code store.max-replica-skew} of Redis' {@code TIME}, that the namespace holds this version's key layout, and
 * that Redis never evicts keys (an evicted series or lock would vanish silently). Any problem makes the replica not
 * ready; a skewed clock also makes its writes and lock calls answer 503 (the scripts check the layout themselves).
 *
 * <p>One round trip at most every {@link #INTERVAL}, shared by readiness and the calls, so an idle fleet stays quiet;
 * one probe at a time, and a failed probe is not repeated for {@link #FAILURE_HOLD}, so an outage does not queue
 * calls behind probes. While probes fail, a sample younger than twice the interval still serves (a call then finds
 * out for itself whether Redis answers). Between two probes Redis' time is the probed one plus the time elapsed on this machine's
 * monotonic clock; the skew is that against the store's clock, read when the check runs.
 */
final class ServerCheck {

    static final Duration INTERVAL = Duration.ofSeconds(5);
    static final Duration FAILURE_HOLD = Duration.ofSeconds(1);

    /** A probe's result: Redis' time, when it was taken (monotonic), the round trip's length, what it found. */
    private record Sample(long redisMillis, long takenNanos, long roundTripMillis, String layout, String policy) {
    }

    /** A failed probe and when it failed (monotonic). */
    private record Failure(BackendUnavailableException cause, long atNanos) {
    }

    private final Supplier<Replies.Probe> probe;
    private final LongSupplier nanos;
    private final Clock clock;
    private final long maxSkewMillis;
    private final Duration retryAfter;
    private volatile Sample last;
    private volatile Failure failed;

    ServerCheck(Supplier<Replies.Probe> probe, LongSupplier nanos, Clock clock, Duration maxSkew, Duration retryAfter) {
        this.probe = probe;
        this.nanos = nanos;
        this.clock = clock;
        this.maxSkewMillis = maxSkew.toMillis();
        this.retryAfter = retryAfter;
    }

    /**
     * Why this replica must not serve now, if it must not.
     *
     * @throws BackendUnavailableException when Redis cannot be probed
     */
    Optional<String> problem() {
        Sample sample = sample();
        if (!sample.layout().isEmpty() && !sample.layout().equals(RedisKeys.LAYOUT)) {
            return Optional.of(otherLayout(sample.layout()));
        }
        if (!sample.policy().equals("noeviction")) {
            return Optional.of("Redis runs with maxmemory-policy " + sample.policy() + ", which may evict series and "
                    + "locks without a trace: set maxmemory-policy noeviction");
        }
        return skew(sample);
    }

    /**
     * Refuses a write or lock call while this replica's clock is off. (The layout is not checked here: every script
     * that writes checks it itself, atomically.)
     */
    void require() {
        Optional<String> skew = skew(sample());
        if (skew.isPresent()) {
            throw new BackendUnavailableException(skew.get(), null, retryAfter);
        }
    }

    /** A script found this layout in the namespace: when the last probe found another, probe again at the next check. */
    void layoutSeen(String layout) {
        Sample sample = last;
        // A namespace without a layout yet is one this version may write: as good as its own.
        String probed = sample == null || sample.layout().isEmpty() ? RedisKeys.LAYOUT : sample.layout();
        if (!probed.equals(layout)) {
            last = null;
        }
    }

    /** Whether the last probe found {@code layout} in the namespace. */
    boolean found(String layout) {
        Sample sample = last;
        return sample != null && sample.layout().equals(layout);
    }

    /** Why a replica must not write a namespace that holds layout {@code found}. */
    static String otherLayout(String found) {
        return "the namespace holds key layout " + found + " and this version writes layout " + RedisKeys.LAYOUT
                + ": versions of different layouts must not run together (see the upgrade path in the README)";
    }

    private Optional<String> skew(Sample sample) {
        long redisNow = sample.redisMillis() + (nanos.getAsLong() - sample.takenNanos()) / 1_000_000;
        long skew = clock.millis() - redisNow;
        // Where in the round trip Redis read its clock is unknown: half of it either way is allowed beside the bound.
        if (Math.abs(skew) > maxSkewMillis + sample.roundTripMillis() / 2) {
            return Optional.of(String.format("clock skew: this replica's clock is %+d ms off Redis' clock, more than "
                    + "store.max-replica-skew (%d ms) allows; synchronise the clocks (NTP)", skew, maxSkewMillis));
        }
        return Optional.empty();
    }

    private Sample sample() {
        Sample sample = current();
        if (sample != null) {
            return sample;
        }
        synchronized (this) {
            sample = current();
            if (sample != null) {
                return sample;
            }
            Failure failure = failed;
            if (failure != null && nanos.getAsLong() - failure.atNanos() < FAILURE_HOLD.toNanos()) {
                return recentOr(failure.cause());
            }
            long sent = nanos.getAsLong();
            Replies.Probe answer;
            try {
                answer = probe.get();
            } catch (BackendUnavailableException unavailable) {
                failed = new Failure(unavailable, nanos.getAsLong());
                return recentOr(unavailable);
            }
            long received = nanos.getAsLong();
            failed = null;
            sample = new Sample(answer.redisMillis(), sent + (received - sent) / 2, (received - sent) / 1_000_000,
                    answer.layout(), answer.evictionPolicy());
            last = sample;
            return sample;
        }
    }

    /** The last sample if it is younger than twice {@link #INTERVAL}, else the probe's failure. */
    private Sample recentOr(BackendUnavailableException failure) {
        Sample sample = last;
        if (sample != null && nanos.getAsLong() - sample.takenNanos() < 2 * INTERVAL.toNanos()) {
            return sample;
        }
        throw failure;
    }

    /** The last sample while it is younger than {@link #INTERVAL}. */
    private Sample current() {
        Sample sample = last;
        return sample != null && nanos.getAsLong() - sample.takenNanos() < INTERVAL.toNanos() ? sample : null;
    }
}
