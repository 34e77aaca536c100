package io.metricstore.store;

import io.metricstore.store.model.RuntimeRole;
import io.metricstore.store.model.WriteSource;

/** Which role may write which source: scrape results come from the leader only, backfills from anyone. */
public final class WriteGuard {

    private WriteGuard() {
    }

    public static boolean permits(RuntimeRole role, WriteSource source) {
        return source != WriteSource.LEADER_SCRAPE || role == RuntimeRole.LEADER;
    }

    /** Throws when {@code role} may not write {@code source}. */
    public static void check(RuntimeRole role, WriteSource source) {
        if (!permits(role, source)) {
            throw new StoreException.WriteForbidden(role, source);
        }
    }
}
