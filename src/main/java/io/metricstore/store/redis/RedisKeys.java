package io.metricstore.store.redis;

import io.metricstore.store.model.LockKind;
import java.util.List;

/**
 * Every key of one namespace. Each starts with {@code {ns}:}, the namespace as a Cluster hash tag, so a namespace
 * lives in one slot and every script may touch all of its keys:
 * <ul>
 *   <li>{@code epoch} (string, created once with the state), {@code seq} (the sequence), {@code horizon};</li>
 *   <li>{@code s:<series id>}: hash {@code v} value, {@code t} updatedAt ms, {@code s} source, {@code r} precedence
 *       rank; {@code PEXPIREAT updatedAt + retention}, so memory is reclaimed even if no replica runs;</li>
 *   <li>{@code index}: sorted set of series ids scored by expiry, so the GC finds expired series without a scan;</li>
 *   <li>{@code changes}: the compacted feed, a sorted set of series ids scored by the sequence of their last change
 *       (tombstones included); {@code tombstones}: deleted ids scored by deletion time;</li>
 *   <li>{@code lock:<kind>:<key>}: hash {@code token}, {@code fence}, {@code exp}, expiring with the lease;
 *       {@code locks}: sorted set of held locks by expiry; {@code fence}: the store-wide fence counter, never below
 *       the time floor ({@link io.metricstore.store.model.Fences});</li>
 *   <li>{@code families}: hash of family name to type and help; {@code families:expiry}: their expiry.</li>
 * </ul>
 * The scripts build series and lock keys from {@link #prefix()} themselves (the GC deletes keys it finds in the
 * indexes), so the layout of those two is written here and in {@code gc.lua} and {@code page.lua}.
 */
final class RedisKeys {

    private final String prefix;
    final String epoch;
    final String seq;
    final String horizon;
    final String index;
    final String changes;
    final String tombstones;
    final String locks;
    final String fence;
    final String families;
    final String familiesExpiry;

    RedisKeys(String namespace) {
        this.prefix = "{" + namespace + "}:";
        this.epoch = prefix + "epoch";
        this.seq = prefix + "seq";
        this.horizon = prefix + "horizon";
        this.index = prefix + "index";
        this.changes = prefix + "changes";
        this.tombstones = prefix + "tombstones";
        this.locks = prefix + "locks";
        this.fence = prefix + "fence";
        this.families = prefix + "families";
        this.familiesExpiry = prefix + "families:expiry";
    }

    /** {@code {ns}:}, which the scripts extend into series and lock keys. */
    String prefix() {
        return prefix;
    }

    /** The prefix of series keys, for {@code page.lua}. */
    String seriesPrefix() {
        return prefix + "s:";
    }

    String series(String id) {
        return prefix + "s:" + id;
    }

    String lock(LockKind kind, String key) {
        return prefix + "lock:" + lockMember(kind, key);
    }

    /** A held lock's member in the {@code locks} index; the lock key is the prefix, {@code lock:} and this. */
    static String lockMember(LockKind kind, String key) {
        return kind.wire() + ":" + key;
    }

    /** The keys of {@code upsert.lua} before the series keys. */
    List<String> upsert() {
        return List.of(epoch, seq, index, changes, tombstones);
    }

    List<String> cursor() {
        return List.of(epoch, seq);
    }

    List<String> page() {
        return List.of(epoch, seq, horizon, changes);
    }

    List<String> gc() {
        return List.of(epoch, seq, index, changes, tombstones, horizon, locks, families, familiesExpiry);
    }

    List<String> familyKeys() {
        return List.of(families, familiesExpiry);
    }

    List<String> acquire(LockKind kind, String key) {
        return List.of(lock(kind, key), fence, locks);
    }

    List<String> extend(LockKind kind, String key) {
        return List.of(lock(kind, key), locks);
    }
}
