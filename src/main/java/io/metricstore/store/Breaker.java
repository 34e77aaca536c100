package io.metricstore.store;

import io.metricstore.store.model.WireName;

/**
 * A backend's circuit breakers, one per kind of call, so that a server which refuses only writes (full, read-only)
 * still serves reads. Every call passes the reads breaker, which counts what shows the server unreachable; writes
 * also pass the writes breaker, which counts refusals of writes too.
 */
public enum Breaker implements WireName {
    /** Reads, and every call's failure to reach the server at all. */
    READS("reads"),
    /** Writes: points, GC steps, lock and lease calls. */
    WRITES("writes");

    private final String wire;

    Breaker(String wire) {
        this.wire = wire;
    }

    @Override
    public String wire() {
        return wire;
    }
}
