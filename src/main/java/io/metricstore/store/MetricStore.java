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
import io.metricstore.store.model.Series;
import io.metricstore.store.model.Snapshot;
import io.metricstore.store.model.SnapshotPage;
import io.metricstore.store.model.WireName;
import io.metricstore.store.model.WriteFence;
import io.metricstore.store.model.WriteResult;
import io.metricstore.store.model.WriteSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The store as callers see it: every input rule, applied once here for whichever backend is configured, then the
 * backend call, timed and counted. Reads the clock once per call and hands that instant to the backend.
 */
@Startup
@Singleton
public class MetricStore {

    /** Page size of a delta when the client names none. */
    public static final int DEFAULT_CHANGES_LIMIT = 1000;
    /** The largest page of a delta. */
    public static final int MAX_CHANGES_LIMIT = 10_000;
    /** The key of the store's own lease ({@link LockKind#STORE}) that elects the replica running the scheduled GC. */
    public static final String GC_LOCK = "gc";

    private final StoreBackend backend;
    private final StoreConfig config;
    private final Clock clock;
    private final StoreMetrics metrics;
    private final PointValidator validator;
    /** The identity the store's own GC lease is taken for (no client reaches that lock kind). */
    private static final String GC_OWNER = "metric-store";
    /** This replica's owner token for the GC lock. */
    private final String gcToken = "gc-" + UUID.randomUUID();

    public MetricStore(StoreBackend backend, StoreConfig config, Clock clock, StoreMetrics metrics) {
        this.backend = backend;
        this.config = config;
        this.clock = clock;
        this.metrics = metrics;
        this.validator = new PointValidator(config);
    }

    public String backendName() {
        return backend.name();
    }

    /** See {@link StoreBackend#unready}. */
    public Optional<String> unready() {
        return backend.unready(now());
    }

    /** See {@link StoreBackend#locksBlock()}. */
    public boolean locksBlock() {
        return backend.locksBlock();
    }

    /** See {@link StoreBackend#unwritable()}. */
    public Optional<String> unwritable() {
        return backend.unwritable();
    }

    /** See {@link StoreBackend#circuits()}. */
    public Map<Breaker, CircuitState> circuits() {
        return backend.circuits();
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    /** The identity of a caller that needs no authorization (tests, benchmarks), as every caller with auth off. */
    public static final String ANONYMOUS = "anonymous";

    /** Writes a batch for a caller that needs no authorization: see {@link #write(WriteBatch, Supplier)}. */
    public WriteResult write(WriteBatch batch) {
        return write(batch, () -> ANONYMOUS);
    }

    /**
     * Writes a batch, refusing it whole in the order SPEC §2 pins: every point, family description and the lease or
     * lock named validated (400, naming every bad field); then {@code authorize}, which checks the caller's identity and
     * role (401/403) and names the writer, who must hold the lease or lock; the write guard and the required lease (403); the batch size (413); then the backend, which checks
     * the lease or lock in the same atomic step as the write (409) and the series cap (507). Points and families are
     * one atomic step, so a refused batch records nothing.
     */
    public WriteResult write(WriteBatch batch, Supplier<String> authorize) {
        WriteSource source = batch.source();
        List<RawPoint> points = batch.points();
        Instant now = now();
        FieldChecks checks = FieldChecks.capped(config.limits().maxErrors())
                .require(batch.families().size() <= config.maxBatch(), "families",
                        "describes more families than store.max-batch (" + config.maxBatch() + ")");
        checkFence(batch, checks);
        List<MetricPoint> valid = validator.validatePoints(points, source, now, checks);
        List<Family> described = validator.validateFamilies(batch.families(), checks);
        if (checks.count() > 0) {
            metrics.rejected(source, points.size());
            checks.orThrow();
        }
        Optional<WriteFence> fence = fence(batch, authorize.get());
        try {
            WriteGuard.check(batch.role(), source, fence.isPresent(), config.leader().requireLease());
        } catch (StoreException.WriteForbidden forbidden) {
            metrics.rejected(source, points.size());
            if (fence.isEmpty() && WriteGuard.permits(batch.role(), source)) {
                metrics.fencedRefusal("lease-required");
            }
            throw forbidden;
        }
        if (points.size() > config.maxBatch()) {
            metrics.rejected(source, points.size());
            throw new StoreException.BatchTooLarge(points.size(), config.maxBatch());
        }
        // The write (and its lease or lock check) happens now, not when validation began: authorizing the caller
        // may have taken a while.
        Instant writtenAt = now();
        WriteResult result;
        try {
            result = metrics.timed("apply", () -> backend.apply(source, valid, described, fence, writtenAt));
        } catch (StoreException.NotLeader | StoreException.LockLost fenced) {
            metrics.rejected(source, points.size());
            metrics.fencedRefusal(fenced instanceof StoreException.NotLeader ? "not-leader" : "lock-lost");
            throw fenced;
        } catch (StoreException.SeriesLimitExceeded | StoreException.FamilyLimitExceeded full) {
            metrics.rejected(source, points.size());
            throw full;
        }
        metrics.written(source, result);
        return result;
    }

    /**
     * The lease or lock a batch names, checked as its other fields are: a lease only with {@code leader_scrape}, a lock
     * (a client kind) only with {@code worker_backfill}, names, keys and tokens as for the lease and lock calls.
     */
    private static void checkFence(WriteBatch batch, FieldChecks checks) {
        WriteBatch.Lease lease = batch.lease();
        if (lease != null) {
            checks.require(batch.source() == WriteSource.LEADER_SCRAPE, "lease",
                    "goes only with source leader_scrape (a backfill names its job lock with \"lock\")")
                    .key("lease.name", lease.name()).token("lease.token", lease.token());
        }
        WriteBatch.Lock lock = batch.lock();
        if (lock != null) {
            checks.require(batch.source() == WriteSource.WORKER_BACKFILL, "lock",
                            "goes only with source worker_backfill (a scrape names its leader lease with \"lease\")")
                    .require(LockKind.parse(lock.kind()).isPresent(), "lock.kind",
                            "must be one of " + WireName.choices(LockKind.clientKinds()))
                    .key("lock.key", lock.key()).token("lock.token", lock.token());
        }
    }

    /** The lease or lock of a checked batch, to be held by {@code writer}. */
    private static Optional<WriteFence> fence(WriteBatch batch, String writer) {
        if (batch.lease() != null) {
            return Optional.of(new WriteFence(LockKind.LEASE, batch.lease().name(), batch.lease().token(), writer));
        }
        WriteBatch.Lock lock = batch.lock();
        return lock == null ? Optional.empty()
                : Optional.of(new WriteFence(LockKind.parse(lock.kind()).orElseThrow(), lock.key(), lock.token(), writer));
    }

    /** The families described within the retention. */
    public List<Family> families() {
        Instant now = now();
        return metrics.timed("families", () -> backend.families(now));
    }

    /**
     * One page of a snapshot walk (see {@link StoreBackend#snapshotPage}): the first without {@code after}, else the one
     * after it. {@code limit} is from 1 to {@code store.limits.max-series-page-size}.
     */
    public SnapshotPage snapshotPage(Optional<String> name, Optional<SnapshotPage.After> after, int limit) {
        int max = config.limits().maxSeriesPageSize();
        FieldChecks checks = FieldChecks.of().require(limit >= 1 && limit <= max, "limit",
                "must be an integer from 1 to " + max + " (store.limits.max-series-page-size)");
        name.ifPresent(metric -> checks.metricName("name", metric));
        checks.orThrow();
        return page(name, after, limit);
    }

    private SnapshotPage page(Optional<String> name, Optional<SnapshotPage.After> after, int limit) {
        Instant now = now();
        return metrics.timed("snapshot", () -> backend.snapshotPage(name, after, limit, now));
    }

    /**
     * The whole snapshot as one list, for a caller that keeps it all anyway (the {@code /metrics} copy), read page by
     * page ({@code store.limits.series-page-size} series each) so that the backend holds no lock throughout. A walk
     * that meets a new epoch of the backend's state (its pages would mix two states) starts over, twice at most.
     */
    public Snapshot snapshot(Optional<String> name) {
        name.ifPresent(metric -> FieldChecks.of().metricName("name", metric).orThrow());
        int size = config.limits().seriesPageSize();
        for (int attempt = 1; ; attempt++) {
            SnapshotPage page = page(name, Optional.empty(), size);
            List<Series> series = new ArrayList<>(page.series());
            try {
                while (page.next().isPresent()) {
                    page = page(name, Optional.of(new SnapshotPage.After(page.cursor(), page.next().get())), size);
                    series.addAll(page.series());
                }
                return new Snapshot(page.cursor(), series);
            } catch (StoreException.CursorExpired lost) {
                if (attempt == 3) {
                    throw new BackendUnavailableException("the backend lost its state three times during one "
                            + "snapshot", lost, Duration.ofSeconds(1));
                }
            }
        }
    }

    public Cursor cursor() {
        return metrics.timed("cursor", backend::cursor);
    }

    /** The delta after {@code since}: at most {@code limit} events, from 1 to {@value #MAX_CHANGES_LIMIT}. */
    public Delta changes(Cursor since, int limit) {
        FieldChecks.of().limit(limit).orThrow();
        Instant now = now();
        return metrics.timed("changes", () -> backend.changes(since, limit, now));
    }

    /** See {@link StoreBackend#watch}. */
    public void watch(Consumer<Cursor> listener) {
        backend.watch(listener);
    }

    /** Before the clients close: a subscription ended by the application is no loss to report. */
    void onStop(@Observes ShutdownEvent event) {
        backend.stopWatching();
    }

    /**
     * Acquires a lock for the caller's identity {@code owner}. A caller that may retry passes its own {@code token}:
     * a retry of an acquire that already won then reports success with the same fence. Without one, a random token is
     * made.
     */
    public LockGrant acquire(LockKind kind, String key, Duration ttl, String token, String owner) {
        String holding = token == null ? UUID.randomUUID().toString() : token;
        FieldChecks.of().key(key).ttl(ttl, config.locks().maxTtl()).token("token", holding).orThrow();
        Instant now = now();
        try {
            LockGrant grant = metrics.timed("lock_acquire", () -> backend.acquire(kind, key, holding, owner, ttl, now));
            metrics.lockAcquire(kind, "acquired");
            return grant;
        } catch (StoreException.LockHeld held) {
            metrics.lockAcquire(kind, "held");
            throw held;
        }
    }

    public LockGrant extend(LockKind kind, String key, String token, Duration ttl, String owner) {
        FieldChecks.of().key(key).token("token", token).ttl(ttl, config.locks().maxTtl()).orThrow();
        Instant now = now();
        return metrics.timed("lock_extend", () -> backend.extend(kind, key, token, owner, ttl, now));
    }

    public void release(LockKind kind, String key, String token, String owner) {
        FieldChecks.of().key(key).token("Lock-Token", token).orThrow();
        Instant now = now();
        metrics.timed("lock_release", () -> {
            backend.release(kind, key, token, owner, now);
            return null;
        });
    }

    public Optional<LockState> inspect(LockKind kind, String key) {
        FieldChecks.of().key(key).orThrow();
        Instant now = now();
        return metrics.timed("lock_inspect", () -> backend.inspect(kind, key, now));
    }

    /**
     * Campaigns for a lease for the caller's identity {@code owner}, shown to observers as {@code holder} (the
     * identity when absent). A caller that may retry passes its own {@code token}: a retry of a campaign that already
     * won renews the lease and reports the same fence. Without one, a random token is made.
     */
    public LeaseGrant campaign(String name, Duration ttl, String token, String holder, String owner) {
        String holding = token == null ? UUID.randomUUID().toString() : token;
        String shown = holder == null ? owner : holder;
        FieldChecks.of().key("name", name).ttl(ttl, config.locks().maxTtl()).token("token", holding)
                .key("holder", shown).orThrow();
        Instant now = now();
        try {
            LeaseGrant grant = metrics.timed("lease_campaign",
                    () -> backend.campaign(name, holding, owner, shown, ttl, now));
            metrics.leaseHeld(name, grant.fence());
            return grant;
        } catch (StoreException.LeaseHeld held) {
            metrics.leaseHeld(name, held.holder().fence());
            throw held;
        }
    }

    public LeaseGrant renew(String name, String token, Duration ttl, String owner) {
        FieldChecks.of().key("name", name).token("token", token).ttl(ttl, config.locks().maxTtl()).orThrow();
        Instant now = now();
        return metrics.timed("lease_renew", () -> backend.renew(name, token, owner, ttl, now));
    }

    public void resign(String name, String token, String owner) {
        FieldChecks.of().key("name", name).token("Lease-Token", token).orThrow();
        Instant now = now();
        metrics.timed("lease_resign", () -> {
            backend.resign(name, token, owner, now);
            return null;
        });
    }

    /** The lease's current holder, if anyone holds it. */
    public Optional<LeaseState> observe(String name) {
        FieldChecks.of().key("name", name).orThrow();
        Instant now = now();
        Optional<LeaseState> state = metrics.timed("lease_observe", () -> backend.observe(name, now));
        state.ifPresent(held -> metrics.leaseHeld(name, held.fence()));
        return state;
    }

    /** See {@link StoreBackend#watchLeases}. */
    public void watchLeases(Consumer<Optional<String>> listener) {
        backend.watchLeases(listener);
    }

    /**
     * The scheduled GC: one replica per interval does the work, the one that holds the store's own lease
     * {@value #GC_LOCK} (of the kind {@link LockKind#STORE}, which no API call can name, so a client's {@code job/gc}
     * lock is another key; leased for one interval and renewed by its holder); the others skip the run.
     */
    public Optional<GcReport> scheduledGc() {
        Instant now = now();
        try {
            metrics.timed("lock_acquire", () -> backend.acquire(LockKind.STORE, GC_LOCK, gcToken, GC_OWNER, config.gc().interval(), now));
        } catch (StoreException.LockHeld held) {
            return Optional.empty();
        }
        return Optional.of(gc());
    }

    /** Gives up this replica's GC lease at shutdown, so another replica takes over at its next tick. */
    public void releaseGcLock() {
        try {
            backend.release(LockKind.STORE, GC_LOCK, gcToken, GC_OWNER, now());
        } catch (StoreException.LockNotHeld | StoreException.LockTokenMismatch | StoreException.NotOwner notOurs) {
            // Another replica runs the GC, or the lease has already run out: nothing to give up.
        }
    }

    public GcReport gc() {
        Instant now = now();
        GcReport report = metrics.timed("gc", () -> backend.gc(now));
        metrics.gc(report);
        return report;
    }
}
