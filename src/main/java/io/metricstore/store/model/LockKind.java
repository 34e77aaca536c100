package io.metricstore.store.model;

import java.util.Optional;

/**
 * The independent lock namespaces: two for clients' locks, one for clients' leases (named, with a public holder), one
 * for the store itself.
 */
public enum LockKind implements WireName {
    /** Makes a backfill job run once. */
    JOB("job"),
    /** Drops repeated events. */
    DEDUP("dedup"),
    /** Leader leases ({@code /leases/{name}}): a lock whose holder is shown to observers. */
    LEASE("lease"),
    /** The store's own leases (the GC's election), which no API call can name: every client key is the client's. */
    STORE("store");

    private static final LockKind[] CLIENT_KINDS = {JOB, DEDUP};

    private final String wire;

    LockKind(String wire) {
        this.wire = wire;
    }

    @Override
    public String wire() {
        return wire;
    }

    /** The kinds clients may lock, in the order they are documented. */
    public static LockKind[] clientKinds() {
        return CLIENT_KINDS.clone();
    }

    /** A kind clients may lock, by its spelling in paths. */
    public static Optional<LockKind> parse(String text) {
        return WireName.parse(CLIENT_KINDS, text);
    }
}
