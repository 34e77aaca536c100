package io.metricstore.store.memory;

import io.metricstore.store.StoreException;
import io.metricstore.store.model.Fences;
import io.metricstore.store.model.LeaseState;
import io.metricstore.store.model.LockKind;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One lock namespace of the memory backend (leases are one too). Each operation is one atomic {@code compute} on the
 * key, so operations on one key are serialised and different keys never wait for each other. Fences come from the
 * store-wide counter ({@link Fences}), so nothing is kept per key once its lease ends.
 */
final class LockTable {

    private final LockKind kind;
    private final AtomicLong fences;
    private final ConcurrentHashMap<String, Held> leases = new ConcurrentHashMap<>();

    LockTable(LockKind kind, AtomicLong fences) {
        this.kind = kind;
        this.fences = fences;
    }

    /** A held key: its token and owner identity, the public holder (leases only), its fence and expiry (ms). */
    record Held(String token, String owner, String holder, long fence, long expiresAt) {
        boolean expired(long nowMillis) {
            return expiresAt <= nowMillis;
        }

        Instant expiry() {
            return Instant.ofEpochMilli(expiresAt);
        }
    }

    /**
     * Takes a free key with the next fence, bound to {@code owner}; a retry by the holding token (and identity)
     * renews the lease with the same fence and holder.
     */
    Held acquire(String key, String token, String owner, String holder, long nowMillis, long ttlMillis) {
        return leases.compute(key, (k, current) -> {
            if (current != null && !current.expired(nowMillis)) {
                if (!current.token().equals(token)) {
                    throw kind == LockKind.LEASE ? new StoreException.LeaseHeld(state(key, current))
                            : new StoreException.LockHeld(kind, key, current.expiry());
                }
                if (!current.owner().equals(owner)) {
                    throw new StoreException.NotOwner(kind, key);
                }
                return new Held(token, owner, current.holder(), current.fence(), nowMillis + ttlMillis);
            }
            return new Held(token, owner, holder, nextFence(nowMillis), nowMillis + ttlMillis);
        });
    }

    private long nextFence(long nowMillis) {
        return fences.updateAndGet(last -> Fences.next(last, nowMillis));
    }

    Held extend(String key, String token, String owner, long nowMillis, long ttlMillis) {
        return leases.compute(key, (k, current) -> {
            Held held = owned(key, current, token, owner, nowMillis);
            return new Held(token, owner, held.holder(), held.fence(), nowMillis + ttlMillis);
        });
    }

    void release(String key, String token, String owner, long nowMillis) {
        leases.compute(key, (k, current) -> {
            owned(key, current, token, owner, nowMillis);
            return null;
        });
    }

    /** The current holder, if the key is held at {@code nowMillis}. */
    Optional<Held> held(String key, long nowMillis) {
        Held held = leases.get(key);
        return held == null || held.expired(nowMillis) ? Optional.empty() : Optional.of(held);
    }

    /**
     * The fence under which {@code token} may write for {@code owner} at {@code nowMillis}. The caller holds the store's
     * write lock; a release or takeover that completes while the write goes on is ordered after it.
     *
     * @throws StoreException.NotLeader for a lease that token does not hold, naming the current holder
     * @throws StoreException.LockLost for a lock that token does not hold
     */
    long fence(String key, String token, String owner, long nowMillis) {
        Optional<Held> current = held(key, nowMillis);
        if (current.isPresent() && current.get().token().equals(token) && current.get().owner().equals(owner)) {
            return current.get().fence();
        }
        if (kind == LockKind.LEASE) {
            throw new StoreException.NotLeader(key, current.map(held -> state(key, held)));
        }
        throw new StoreException.LockLost(kind, key);
    }

    /** Removes expired leases; returns how many. */
    int purge(long nowMillis) {
        int purged = 0;
        for (Map.Entry<String, Held> entry : leases.entrySet()) {
            // Conditional remove: a lease renewed since we read it stays.
            if (entry.getValue().expired(nowMillis) && leases.remove(entry.getKey(), entry.getValue())) {
                purged++;
            }
        }
        return purged;
    }

    private Held owned(String key, Held current, String token, String owner, long nowMillis) {
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

    static LeaseState state(String name, Held held) {
        return new LeaseState(name, held.holder(), held.fence(), held.expiry());
    }
}
