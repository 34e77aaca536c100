package io.metricstore.store.memory;

import io.metricstore.store.StoreException;
import io.metricstore.store.model.Fences;
import io.metricstore.store.model.LockGrant;
import io.metricstore.store.model.LockKind;
import io.metricstore.store.model.LockState;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One lock namespace of the memory backend. Each operation is one atomic {@code compute} on the key, so operations
 * on one key are serialised and different keys never wait for each other. Fences come from the store-wide counter
 * ({@link Fences}), so nothing is kept per key once its lease ends.
 */
final class LockTable {

    private final LockKind kind;
    private final AtomicLong fences;
    private final ConcurrentHashMap<String, Lease> leases = new ConcurrentHashMap<>();

    LockTable(LockKind kind, AtomicLong fences) {
        this.kind = kind;
        this.fences = fences;
    }

    private record Lease(String token, String owner, long fence, long expiresAt) {
        boolean expired(long nowMillis) {
            return expiresAt <= nowMillis;
        }
    }

    /**
     * Takes a free key with the next fence, bound to {@code owner}; a retry by the holding token (and identity)
     * renews the lease with the same fence.
     */
    LockGrant acquire(String key, String token, String owner, long nowMillis, long ttlMillis) {
        return grant(key, leases.compute(key, (k, current) -> {
            if (current != null && !current.expired(nowMillis)) {
                if (!current.token().equals(token)) {
                    throw new StoreException.LockHeld(kind, key, Instant.ofEpochMilli(current.expiresAt()));
                }
                if (!current.owner().equals(owner)) {
                    throw new StoreException.NotOwner(kind, key);
                }
                return new Lease(token, owner, current.fence(), nowMillis + ttlMillis);
            }
            return new Lease(token, owner, nextFence(nowMillis), nowMillis + ttlMillis);
        }));
    }

    private long nextFence(long nowMillis) {
        return fences.updateAndGet(last -> Fences.next(last, nowMillis));
    }

    LockGrant extend(String key, String token, String owner, long nowMillis, long ttlMillis) {
        return grant(key, leases.compute(key, (k, current) -> {
            Lease held = owned(key, current, token, owner, nowMillis);
            return new Lease(token, owner, held.fence(), nowMillis + ttlMillis);
        }));
    }

    void release(String key, String token, String owner, long nowMillis) {
        leases.compute(key, (k, current) -> {
            owned(key, current, token, owner, nowMillis);
            return null;
        });
    }

    Optional<LockState> inspect(String key, long nowMillis) {
        Lease lease = leases.get(key);
        if (lease == null || lease.expired(nowMillis)) {
            return Optional.empty();
        }
        return Optional.of(new LockState(kind, key, lease.fence(), Instant.ofEpochMilli(lease.expiresAt())));
    }

    /** Removes expired leases; returns how many. */
    int purge(long nowMillis) {
        int purged = 0;
        for (Map.Entry<String, Lease> entry : leases.entrySet()) {
            // Conditional remove: a lease renewed since we read it stays.
            if (entry.getValue().expired(nowMillis) && leases.remove(entry.getKey(), entry.getValue())) {
                purged++;
            }
        }
        return purged;
    }

    private Lease owned(String key, Lease current, String token, String owner, long nowMillis) {
        if (current == null || current.expired(nowMillis)) {
            throw new StoreException.LockNotHeld(kind, key);
        }
        if (!current.owner().equals(owner)) {
            throw new StoreException.NotOwner(kind, key);
        }
        if (!current.token().equals(token)) {
            throw new StoreException.LockTokenMismatch(kind, key);
        }
        return current;
    }

    private LockGrant grant(String key, Lease lease) {
        return new LockGrant(kind, key, lease.token(), lease.fence(), Instant.ofEpochMilli(lease.expiresAt()));
    }
}
