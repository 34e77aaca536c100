package io.metricstore.watch;

import io.metricstore.store.StoreBackend;
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
import io.metricstore.store.model.SnapshotPage;
import io.metricstore.store.model.WriteFence;
import io.metricstore.store.model.WriteResult;
import io.metricstore.store.model.WriteSource;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** A real backend that counts the feed and lease reads made through it, so a test sees how many reads waiters share. */
final class CountingBackend implements StoreBackend {

    private final StoreBackend backend;
    final AtomicInteger feedReads = new AtomicInteger();
    final AtomicInteger leaseReads = new AtomicInteger();
    /** While set, lease signals are dropped, as a shared backend's may be lost. */
    volatile boolean leaseSignalsLost;

    CountingBackend(StoreBackend backend) {
        this.backend = backend;
    }

    @Override
    public Delta changes(Cursor since, int limit, Instant now) {
        feedReads.incrementAndGet();
        return backend.changes(since, limit, now);
    }

    @Override
    public String name() {
        return backend.name();
    }

    @Override
    public WriteResult apply(WriteSource source, List<MetricPoint> points, List<Family> families,
                             Optional<WriteFence> fence, Instant now) {
        return backend.apply(source, points, families, fence, now);
    }

    @Override
    public List<Family> families(Instant now) {
        return backend.families(now);
    }

    @Override
    public SnapshotPage snapshotPage(Optional<String> name, Optional<SnapshotPage.After> after, int limit,
                                     Instant now) {
        return backend.snapshotPage(name, after, limit, now);
    }

    @Override
    public Cursor cursor() {
        return backend.cursor();
    }

    @Override
    public LockGrant acquire(LockKind kind, String key, String token, String owner, Duration ttl, Instant now) {
        return backend.acquire(kind, key, token, owner, ttl, now);
    }

    @Override
    public LockGrant extend(LockKind kind, String key, String token, String owner, Duration ttl, Instant now) {
        return backend.extend(kind, key, token, owner, ttl, now);
    }

    @Override
    public void release(LockKind kind, String key, String token, String owner, Instant now) {
        backend.release(kind, key, token, owner, now);
    }

    @Override
    public Optional<LockState> inspect(LockKind kind, String key, Instant now) {
        return backend.inspect(kind, key, now);
    }

    @Override
    public LeaseGrant campaign(String name, String token, String owner, String holder, Duration ttl, Instant now) {
        return backend.campaign(name, token, owner, holder, ttl, now);
    }

    @Override
    public LeaseGrant renew(String name, String token, String owner, Duration ttl, Instant now) {
        return backend.renew(name, token, owner, ttl, now);
    }

    @Override
    public void resign(String name, String token, String owner, Instant now) {
        backend.resign(name, token, owner, now);
    }

    @Override
    public Optional<LeaseState> observe(String name, Instant now) {
        leaseReads.incrementAndGet();
        return backend.observe(name, now);
    }

    @Override
    public void watchLeases(Consumer<Optional<String>> listener) {
        backend.watchLeases(lease -> {
            if (!leaseSignalsLost) {
                listener.accept(lease);
            }
        });
    }

    @Override
    public GcReport gc(Instant now) {
        return backend.gc(now);
    }

    @Override
    public long liveSeries(Instant now) {
        return backend.liveSeries(now);
    }

    @Override
    public Optional<String> unready(Instant now) {
        return backend.unready(now);
    }

    @Override
    public boolean locksBlock() {
        return backend.locksBlock();
    }

    @Override
    public void watch(Consumer<Cursor> listener) {
        backend.watch(listener);
    }
}
