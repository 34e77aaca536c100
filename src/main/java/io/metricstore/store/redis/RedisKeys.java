package io.metricstore.store.redis;

import io.metricstore.store.model.LockKind;
import java.util.List;

/**
 * Every key of one namespace, layout {@value #LAYOUT}. Each starts with {@code {ns}:}, the namespace as a
 * Cluster hash tag, so a namespace lives in one slot; every script names each key it touches in {@code KEYS}:
 * <ul>
 *   <li>{@code meta}: hash {@code epoch} (the id of the state's history), {@code origin} (the run and replication
 *       ids of the Redis that wrote it, see {@code origin.lua}), {@code layout} ({@link #LAYOUT}), {@code fence} (the
 *       store-wide fence counter, never below the time floor, {@link io.metricstore.store.model.Fences}) and
 *       {@code fence_origin} (the origin that issued the last fence);
 *       {@code seq} (the sequence), {@code horizon};</li>
 *   <li>{@code s:<series id>}: hash {@code v} value, {@code t} updatedAt ms, {@code s} source, {@code r} precedence
 *       rank; {@code PEXPIREAT updatedAt + retention}, so memory is reclaimed even if no replica runs;</li>
 *   <li>{@code index}: sorted set of series ids scored by expiry, so the GC finds expired series without a scan;</li>
 *   <li>{@code order}: sorted set of the series' sort keys ({@link io.metricstore.store.model.SeriesId#sortKey}), all
 *       scored 0, so that {@code ZRANGEBYLEX} pages a snapshot in snapshot order and one metric name's series are one
 *       range (layout 3);</li>
 *   <li>{@code changes}: the compacted feed, a sorted set of series ids scored by the sequence of their last change
 *       (tombstones included); {@code tombstones}: deleted ids scored by deletion time;</li>
 *   <li>{@code lock:<kind>:<key>}: hash {@code token}, {@code fence}, {@code exp}, {@code owner} (the identity that
 *       took it) and, for a lease ({@code lock:lease:<name>}), {@code holder}; expiring with the lease;
 *       {@code locks}: sorted set of held locks and leases by expiry;</li>
 *   <li>{@code families}: hash of family name to type and help; {@code families:expiry}: their expiry.</li>
 * </ul>
 * The channel {@code {ns}:watch} (pub/sub, not a key) carries {@code feed <epoch> <sequence>} after each write and
 * GC step that changed the state, and {@code lease <fence> <name>} after each campaign, renewal ({@code fence}) and
 * resignation ({@code 0}).
 * {@code migration} exists only while a replica migrates a namespace of layout {@value #PREVIOUS_LAYOUT} (which had
 * no {@code order}) to this one ({@code migrate.lua}). Earlier versions kept strings {@code epoch} and {@code fence}
 * and per-kind {@code fences:<kind>} hashes, which this layout no longer reads.
 */
final class RedisKeys {

    /**
     * The version of this layout and the namespace's number of shards ({@code version/shards}), recorded in
     * {@code meta}: a replica that finds another one there writes nothing ({@link ServerCheck}), so a rolling upgrade
     * never mixes layouts.
     */
    static final String LAYOUT = "3/1";
    /**
     * The layout before this one (no {@code order}), which a replica of this version migrates in place (README, the
     * upgrade path).
     */
    static final String PREVIOUS_LAYOUT = "2/1";

    private final String prefix;
    final String meta;
    final String seq;
    final String horizon;
    final String index;
    final String order;
    final String changes;
    final String tombstones;
    final String locks;
    final String families;
    final String familiesExpiry;
    /** The token of the replica migrating the namespace from {@link #PREVIOUS_LAYOUT}, while it does. */
    final String migration;
    /** Not a key: the pub/sub channel on which writes wake every replica's watchers ({@link RedisWatch}). */
    final String watch;

    RedisKeys(String namespace) {
        this.prefix = "{" + namespace + "}:";
        this.meta = prefix + "meta";
        this.seq = prefix + "seq";
        this.horizon = prefix + "horizon";
        this.index = prefix + "index";
        this.order = prefix + "order";
        this.changes = prefix + "changes";
        this.tombstones = prefix + "tombstones";
        this.locks = prefix + "locks";
        this.families = prefix + "families";
        this.familiesExpiry = prefix + "families:expiry";
        this.migration = prefix + "migration";
        this.watch = prefix + "watch";
    }

    String series(String id) {
        return prefix + "s:" + id;
    }

    String lock(LockKind kind, String key) {
        return lockOf(lockMember(kind, key));
    }

    /** A held lock's member in the {@code locks} index; the lock key is the prefix, {@code lock:} and this. */
    static String lockMember(LockKind kind, String key) {
        return kind.wire() + ":" + key;
    }

    /** The key of a member of the {@code locks} index. */
    String lockOf(String member) {
        return prefix + "lock:" + member;
    }

    /** The keys of {@code upsert.lua} before the series keys. */
    List<String> upsert() {
        return List.of(meta, seq, index, changes, tombstones, families, familiesExpiry, order);
    }

    List<String> cursor() {
        return List.of(meta, seq);
    }

    List<String> page() {
        return List.of(meta, seq, horizon, changes);
    }

    /** The keys of {@code order.lua}. */
    List<String> snapshot() {
        return List.of(meta, seq, horizon, order);
    }

    /** The keys of {@code gc.lua} before the series and lock keys. */
    List<String> gc() {
        return List.of(meta, seq, index, changes, tombstones, horizon, locks, families, familiesExpiry, order);
    }

    /** The keys of {@code migrate.lua}. */
    List<String> migrate() {
        return List.of(meta, index, order, migration);
    }

    List<String> due() {
        return List.of(index, locks);
    }

    List<String> familyKeys() {
        return List.of(families, familiesExpiry);
    }

    List<String> acquire(LockKind kind, String key) {
        return List.of(lock(kind, key), locks, meta);
    }

    List<String> extend(LockKind kind, String key) {
        return List.of(lock(kind, key), locks, meta);
    }
}
