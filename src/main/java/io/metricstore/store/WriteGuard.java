package io.metricstore.store;

import io.metricstore.store.model.RuntimeRole;
import io.metricstore.store.model.WriteSource;

/**
 * Which role may write which source: scrape results come from the leader only (and, with
 * {@code store.leader.require-lease}, only under a lease), backfills from anyone.
 */
public final class WriteGuard {

    private WriteGuard() {
    }

    public static boolean permits(RuntimeRole role, WriteSource source) {
        return source != WriteSource.LEADER_SCRAPE || role == RuntimeRole.LEADER;
    }

    /** Throws when {@code role} may not write {@code source}. */
    private static void check(RuntimeRole role, WriteSource source) {
        if (!permits(role, source)) {
            throw new StoreException.WriteForbidden(role, source);
        }
    }

    /**
     * Throws when {@code role} may not write {@code source}, or when the batch is a scrape without a lease although
     * {@code requireLease} ({@code store.leader.require-lease}) asks that every scrape prove its leadership.
     */
    public static void check(RuntimeRole role, WriteSource source, boolean underLease, boolean requireLease) {
        check(role, source);
        if (requireLease && source == WriteSource.LEADER_SCRAPE && !underLease) {
            throw StoreException.WriteForbidden.leaseRequired();
        }
    }
}
