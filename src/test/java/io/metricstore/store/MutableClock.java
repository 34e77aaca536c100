package io.metricstore.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that tests move by hand, so that expiry is tested without sleeping; or, for the tests of clock skew,
 * one that runs with the wall clock at a fixed offset ({@link #follow}), so that time spent between requests on a
 * busy machine does not shrink the skew under test.
 */
public final class MutableClock extends Clock {

    private final AtomicReference<Instant> now;
    private volatile Duration offset;

    public MutableClock(Instant start) {
        this.now = new AtomicReference<>(start);
    }

    public void advance(Duration by) {
        Duration running = offset;
        if (running != null) {
            offset = running.plus(by);
        }
        now.updateAndGet(t -> t.plus(by));
    }

    public void set(Instant to) {
        offset = null;
        now.set(to);
    }

    /** From now on, the wall clock plus {@code by}, until {@link #set} stops the clock again. */
    public void follow(Duration by) {
        offset = by;
    }

    @Override
    public Instant instant() {
        Duration running = offset;
        return running == null ? now.get() : Instant.now().plus(running);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
