package io.metricstore.store.model;

import java.util.Optional;

/** The two independent lock namespaces. */
public enum LockKind implements WireName {
    /** Makes a backfill job run once. */
    JOB("job"),
    /** Drops repeated events. */
    DEDUP("dedup");

    private final String wire;

    LockKind(String wire) {
        this.wire = wire;
    }

    @Override
    public String wire() {
        return wire;
    }

    public static Optional<LockKind> parse(String text) {
        return WireName.parse(values(), text);
    }
}
