package io.metricstore.store;

import io.metricstore.store.model.Cursor;
import io.metricstore.store.model.Delta;
import io.metricstore.store.model.Family;
import io.metricstore.store.model.GcReport;
import io.metricstore.store.model.LeaseGrant;
import io.metricstore.store.model.LeaseState;
import io.metricstore.store.model.LockGrant;
import io.metricstore.store.model.LockKind;
import io.metricstore.store.model.LockState;
import io.metricstore.store.model.MetricPoint;
import io.metricstore.store.model.Precedence;
import io.metricstore.store.model.SeriesId;
import io.metricstore.store.model.SnapshotPage;
import io.metricstore.store.model.WriteFence;
import io.metricstore.store.model.WriteResult;
import io.metricstore.store.model.WriteSource;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where the state lives. {@link MetricStore} applies every input rule (validation, write guard, limits) before it
 * calls a backend, and hands it the time to use, so a backend only keeps state and enforces the rules that need
 * that state: precedence ({@link Precedence}), the series cap, retention, the change feed and the locks.
 *
 * <h2>Concurrency and ordering</h2>
 * <ul>
 *   <li>Every method may be called from many threads, and (for a shared backend) from many replicas at once.</li>
 *   <li>{@link #apply} is atomic: concurrent batches behave as if applied one after the other, each point in input
 *       order against the state left by the points before it (so a batch may carry a series twice). The series cap
 *       is checked for the whole batch before anything is written. A backend that must split a batch says so in
 *       its own documentation and keeps each part atomic and the parts in order.</li>
 *   <li>Every applied point and every deletion takes the next value of one store-wide sequence; an unchanged or
 *       stale point takes none. The returned cursor is at or after the batch's last change.</li>
 *   <li>A snapshot ({@link #snapshotPage}, page after page) reads its cursor before the series: every change at or
 *       before the cursor is in the snapshot, some changes after it may be too (a series created or deleted during a
 *       walk behind or ahead of its position is missed or listed). Following {@link #changes} from that cursor
 *       therefore misses nothing and may repeat a change; applying a change twice is harmless because each event
 *       carries the whole state of its series.</li>
 *   <li>{@link #changes} lists each series changed after the cursor once, at its latest change, oldest first. A
 *       series changed again while a client pages moves to the end of the feed, so the client still sees it.</li>
 *   <li>Lock operations are atomic per key; operations on different keys or kinds never wait for each other.
 *       Times are compared as "expired when {@code expiresAt <= now}".</li>
 *   <li>The caller's clock is the only clock: every method that depends on time takes {@code now}.</li>
 * </ul>
 */
public interface StoreBackend {

    /** The backend's name in configuration and telemetry. */
    String name();

    /**
     * Applies validated points from {@code source} and records the type and help of {@code families}, in one atomic
     * step. Each description lives for the retention from {@code now}, like a series, and a later description of the
     * same family replaces it. With a {@code fence}, the batch is applied only if that lease or lock is held by its
     * token for its owner at {@code now}, checked in the same atomic step, and the result carries its fence.
     *
     * @throws StoreException.NotLeader when the fence is a lease its token does not hold (nothing written)
     * @throws StoreException.LockLost when the fence is a lock its token does not hold (nothing written)
     * @throws StoreException.SeriesLimitExceeded when the batch would create more live series than the cap;
     *     nothing of the batch is written then, families included
     * @throws StoreException.FamilyLimitExceeded when the batch would describe more live families than
     *     {@code store.limits.max-families} (re-describing a live family never counts); nothing is written then
     */
    WriteResult apply(WriteSource source, List<MetricPoint> points, List<Family> families, Optional<WriteFence> fence,
                      Instant now);

    /** The families described within the retention, by name. */
    List<Family> families(Instant now);

    /**
     * Up to {@code limit} live series (optionally only those named {@code name}) in snapshot order
     * ({@link SeriesId#ORDER} of their sort keys), in O(limit + log series): the first page of a walk, or with
     * {@code after} the page after the sort key of the last series a page of that walk listed. A first page reads its
     * cursor in the same step as its series; a later page answers the walk's cursor and checks it as {@link #changes}
     * does, so a walk that outlives its cursor's epoch or feed ends at once. {@code next} is present while more series
     * may follow. Nothing is held between pages.
     *
     * @throws StoreException.CursorExpired when {@code after}'s cursor is from another epoch, below the horizon or
     *     ahead of the store
     */
    SnapshotPage snapshotPage(Optional<String> name, Optional<SnapshotPage.After> after, int limit, Instant now);

    /** The cursor after the latest change. */
    Cursor cursor();

    /**
     * Up to {@code limit} changes after {@code since}. A series that has expired by {@code now} is reported as
     * deleted, even before the GC records its deletion (which then follows as a second deletion).
     *
     * @throws StoreException.CursorExpired when the cursor is from another epoch, below the horizon or ahead of
     *     the store
     */
    Delta changes(Cursor since, int limit, Instant now);

    /**
     * Acquires a lock for {@code token}, bound to the caller's identity {@code owner}; when {@code token} already
     * holds it (a retried acquire) the lease is renewed to {@code ttl} and the same fence is returned.
     *
     * @throws StoreException.LockHeld when another token holds it
     * @throws StoreException.NotOwner when {@code token} holds it for another identity
     */
    LockGrant acquire(LockKind kind, String key, String token, String owner, Duration ttl, Instant now);

    /**
     * Renews a held lock to {@code ttl} from {@code now}.
     *
     * @throws StoreException.LockNotHeld when nobody holds it
     * @throws StoreException.NotOwner when another identity holds it (whatever the token)
     * @throws StoreException.LockTokenMismatch when another token holds it
     */
    LockGrant extend(LockKind kind, String key, String token, String owner, Duration ttl, Instant now);

    /**
     * Releases a held lock.
     *
     * @throws StoreException.LockNotHeld when nobody holds it
     * @throws StoreException.NotOwner when another identity holds it (whatever the token)
     * @throws StoreException.LockTokenMismatch when another token holds it
     */
    void release(LockKind kind, String key, String token, String owner, Instant now);

    /** The lock's current holder's fence and expiry, if it is held. */
    Optional<LockState> inspect(LockKind kind, String key, Instant now);

    /**
     * Takes a free lease for {@code token}, bound to {@code owner}, with the next fence and the public {@code holder};
     * a retry by the holding token renews it (same fence, holder as first given).
     *
     * @throws StoreException.LeaseHeld when another token holds it (with that holder)
     * @throws StoreException.NotOwner when {@code token} holds it for another identity
     */
    LeaseGrant campaign(String name, String token, String owner, String holder, Duration ttl, Instant now);

    /** Renews a held lease to {@code ttl} from {@code now}; refusals as {@link #extend}. */
    LeaseGrant renew(String name, String token, String owner, Duration ttl, Instant now);

    /** Gives a held lease up; refusals as {@link #release}. */
    void resign(String name, String token, String owner, Instant now);

    /** The lease's current holder, if it is held. */
    Optional<LeaseState> observe(String name, Instant now);

    /**
     * Tells {@code listener} the name of a lease that may have changed (campaigned, renewed, resigned) on this replica
     * or, for a shared backend, on any replica; or {@link Optional#empty()} when any lease may have changed unseen
     * (a shared backend that cannot hear the others polls meanwhile). Never before the change can be read; calls may
     * repeat or come late, must not block, and say nothing of leases that merely expired.
     */
    void watchLeases(Consumer<Optional<String>> listener);

    /**
     * Expires series (recording deletions) and family descriptions, purges expired locks and trims old tombstones
     * (raising the horizon).
     */
    GcReport gc(Instant now);

    /** The number of live series: stored and not expired by {@code now}. */
    long liveSeries(Instant now);

    /** Why the backend cannot serve requests now, if it cannot (readiness shows the reason). */
    Optional<String> unready(Instant now);

    /**
     * Whether lock calls may wait on I/O. Locks of a backend that never waits run on the HTTP event loop, which
     * saves two thread hand-offs per request; the others run on worker threads.
     */
    boolean locksBlock();

    /**
     * Tells {@code listener} that the state may have changed: after a write or a GC on this replica, or (for a shared
     * backend) on any replica, with the cursor after that change (after a write of only family descriptions, the
     * cursor as it was). Never before the change can be read. Calls come on any thread and must not block; they may
     * repeat or come late, and a shared backend may lose some (while it cannot reach its server, it polls instead), so
     * a watcher still checks the feed itself every so often.
     */
    void watch(Consumer<Cursor> listener);

    /** Stops telling the listeners, when the application stops (a shared backend ends its subscription). */
    default void stopWatching() {
    }

    /**
     * Why the backend refuses writes now while it still serves reads, if it does: readiness shows it without turning
     * DOWN, since this replica's reads and its {@code /metrics} copy still work.
     */
    default Optional<String> unwritable() {
        return Optional.empty();
    }

    /** The state of each of the backend's circuit breakers, for readiness and telemetry; empty when it has none. */
    default Map<Breaker, CircuitState> circuits() {
        return Map.of();
    }
}
