package io.metricstore.store.redis;

import io.metricstore.store.BackendUnavailableException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What this replica checks about the Redis server outside the scripts (SPEC §5): that its clock is within
 * {@code store.max-replica-skew} of Redis' {@code TIME}, and that the namespace holds this version's key layout.
 * Either problem makes the replica not ready, and its writes and lock calls answer 503.
 *
 * <p>One round trip at most every {@link #INTERVAL}, shared by readiness and the calls, so an idle fleet stays quiet.
 * Between two probes Redis' time is the probed one plus the time elapsed on this machine's monotonic clock; the skew
 * is that against the {@code now} the store hands the backend, which is the clock every rule of the store uses.
 */
final class ServerCheck {

    static final Duration INTERVAL = Duration.ofSeconds(5);

    /** A probe's result: Redis' time, when it was taken (monotonic), the round trip's length, the layout found. */
    private record Sample(long redisMillis, long takenNanos, long roundTripMillis, String layout) {
    }

    private final Supplier<Replies.Probe> probe;
    private final LongSupplier nanos;
    private final long maxSkewMillis;
    private final Duration retryAfter;
    private volatile Sample last;

    ServerCheck(Supplier<Replies.Probe> probe, LongSupplier nanos, Duration maxSkew, Duration retryAfter) {
        this.probe = probe;
        this.nanos = nanos;
        this.maxSkewMillis = maxSkew.toMillis();
        this.retryAfter = retryAfter;
    }

    /**
     * Why this replica must not write now, if it must not.
     *
     * @throws BackendUnavailableException when Redis cannot be probed
     */
    Optional<String> problem(Instant now) {
        Sample sample = sample();
        if (!sample.layout().isEmpty() && !sample.layout().equals(RedisKeys.LAYOUT)) {
            return Optional.of(otherLayout(sample.layout()));
        }
        return skew(now, sample);
    }

    private Optional<String> skew(Instant now, Sample sample) {
        long redisNow = sample.redisMillis() + (nanos.getAsLong() - sample.takenNanos()) / 1_000_000;
        long skew = now.toEpochMilli() - redisNow;
        // The probe's answer left Redis somewhere within the round trip: allow half of it either way.
        if (Math.abs(skew) > maxSkewMillis + sample.roundTripMillis() / 2) {
            return Optional.of(String.format("clock skew: this replica's clock is %+d ms off Redis' clock, more than "
                    + "store.max-replica-skew (%d ms) allows; synchronise the clocks (NTP)", skew, maxSkewMillis));
        }
        return Optional.empty();
    }

    /**
     * Refuses a write or lock call while this replica's clock is off. (The layout is not checked here: every script
     * that writes checks it itself, atomically.)
     */
    void require(Instant now) {
        Optional<String> skew = skew(now, sample());
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

    /** Why a replica must not write a namespace that holds layout {@code found}. */
    static String otherLayout(String found) {
        return "the namespace holds key layout " + found + " and this version writes layout " + RedisKeys.LAYOUT
                + ": versions of different layouts must not run together (see the upgrade path in the README)";
    }

    private Sample sample() {
        Sample sample = last;
        if (sample != null && nanos.getAsLong() - sample.takenNanos() < INTERVAL.toNanos()) {
            return sample;
        }
        synchronized (this) {
            sample = last;
            if (sample != null && nanos.getAsLong() - sample.takenNanos() < INTERVAL.toNanos()) {
                return sample;
            }
            long sent = nanos.getAsLong();
            Replies.Probe answer = probe.get();
            long received = nanos.getAsLong();
            sample = new Sample(answer.redisMillis(), sent + (received - sent) / 2, (received - sent) / 1_000_000,
                    answer.layout());
            last = sample;
            return sample;
        }
    }
}
