package io.metricstore.store;

import java.util.Optional;

/** The two independent lock namespaces. */
public enum LockKind {
    /** Makes a backfill job run once. */
    JOB("job"),
    /** Drops repeated events. */
    DEDUP("dedup");

    private final String wire;

    LockKind(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static Optional<LockKind> parse(String text) {
        for (LockKind kind : values()) {
            if (kind.wire.equals(text)) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }
}
