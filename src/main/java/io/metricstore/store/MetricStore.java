package io.metricstore.store;

import io.metricstore.store.model.Cursor;
import io.metricstore.store.model.Delta;
import io.metricstore.store.model.Family;
import io.metricstore.store.model.FieldError;
import io.metricstore.store.model.GcReport;
import io.metricstore.store.model.LockGrant;
import io.metricstore.store.model.LockKind;
import io.metricstore.store.model.LockState;
import io.metricstore.store.model.MetricPoint;
import io.metricstore.store.model.Snapshot;
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
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

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
    /** The job lock key that elects the replica running the scheduled GC. */
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

    /** See {@link StoreBackend#circuit()}. */
    public Optional<CircuitState> circuit() {
        return backend.circuit();
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    /**
     * Writes a batch: the guard checked, the batch size checked and every point and family description validated
     * before the backend sees any of it. Points and families are one atomic step, so a refused batch records nothing.
     */
    public WriteResult write(WriteBatch batch) {
        WriteSource source = batch.source();
        List<RawPoint> points = batch.points();
        WriteGuard.check(batch.role(), source);
        if (points.size() > config.maxBatch()) {
            metrics.rejected(source, points.size());
            throw new StoreException.BatchTooLarge(points.size(), config.maxBatch());
        }
        FieldChecks.of().require(batch.families().size() <= config.maxBatch(), "families",
                "describes more families than store.max-batch (" + config.maxBatch() + ")").orThrow();
        Instant now = now();
        List<FieldError> errors = new ArrayList<>();
        List<MetricPoint> valid = validator.validatePoints(points, now, errors);
        List<Family> described = validator.validateFamilies(batch.families(), errors);
        if (!errors.isEmpty()) {
            metrics.rejected(source, points.size());
            throw new StoreException.Validation(errors);
        }
        WriteResult result;
        try {
            result = metrics.timed("apply", () -> backend.apply(source, valid, described, now));
        } catch (StoreException.SeriesLimitExceeded full) {
            metrics.rejected(source, points.size());
            throw full;
        }
        metrics.written(source, result);
        return result;
    }

    /** The families described within the retention. */
    public List<Family> families() {
        Instant now = now();
        return metrics.timed("families", () -> backend.families(now));
    }

    public Snapshot snapshot(Optional<String> name) {
        name.ifPresent(metric -> FieldChecks.of().metricName("name", metric).orThrow());
        Instant now = now();
        return metrics.timed("snapshot", () -> backend.snapshot(name, now));
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
     * The scheduled GC: one replica per interval does the work, the one that holds the store's own job lock
     * {@value #GC_LOCK} (leased for one interval and renewed by its holder); the others skip the run.
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
