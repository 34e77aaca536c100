package io.metricstore.store.memory;

import io.metricstore.store.ForBackend;
import io.metricstore.store.StoreBackend;
import io.metricstore.store.StoreConfig;
import io.metricstore.store.StoreException;
import io.metricstore.store.model.Change;
import io.metricstore.store.model.Cursor;
import io.metricstore.store.model.Delta;
import io.metricstore.store.model.Epochs;
import io.metricstore.store.model.Family;
import io.metricstore.store.model.Fences;
import io.metricstore.store.model.GcReport;
import io.metricstore.store.model.LeaseGrant;
import io.metricstore.store.model.LeaseState;
import io.metricstore.store.model.LockGrant;
import io.metricstore.store.model.LockKind;
import io.metricstore.store.model.LockState;
import io.metricstore.store.model.MetricPoint;
import io.metricstore.store.model.Precedence;
import io.metricstore.store.model.Series;
import io.metricstore.store.model.SeriesId;
import io.metricstore.store.model.SnapshotPage;
import io.metricstore.store.model.WriteFence;
import io.metricstore.store.model.WriteResult;
import io.metricstore.store.model.WriteSource;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;

/**
 * The in-process backend. Series, the change feed and tombstones sit behind one read-write lock, so a batch is
 * atomic and snapshots and deltas see a consistent state; locks live in concurrent maps and are atomic per key.
 *
 * <p>Costs: a write is O(points) amortised (a hash lookup and two appends: to the {@link ChangeLog feed} and to the
 * {@link ExpiryQueue expiry index}, both compacted when outdated records pile up; a new series also enters the
 * snapshot order, O(log series)); a delta is O(log changes + changes since the cursor); a snapshot page is
 * O(log series + page); only the GC of many series touches more.
 */
@Singleton
@ForBackend(StoreConfig.Backend.memory)
public final class MemoryBackend implements StoreBackend {

    /** Outdated records tolerated in the feed and the expiry index beyond one per series, before compaction. */
    private static final int SLACK = 4096;

    private final long retentionMillis;
    private final long tombstoneRetentionMillis;
    private final int maxSeries;
    private final int maxFamilies;
    private final String epoch;

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<String, Entry> series = new HashMap<>();
    /**
     * The same entries in snapshot order, so that a page is a seek and a short walk. Ordered by name and labels, which
     * each entry holds anyway: no sort key string per series.
     */
    private final TreeSet<Entry> order = new TreeSet<>(
            (a, b) -> SeriesId.compare(a.name, a.labels, b.name, b.labels));
    /** The feed: a record per change; current while it is the latest change (or deletion) of its series. */
    private final ChangeLog feed = new ChangeLog();
    /** Deleted series still in the feed, in deletion order (which is sequence order). */
    private final LinkedHashMap<String, Tombstone> tombstones = new LinkedHashMap<>();
    private final ExpiryQueue expiries = new ExpiryQueue();
    private long sequence;
    private long horizon;

    private final Map<LockKind, LockTable> locks = new EnumMap<>(LockKind.class);
    /** The store-wide fence counter (see {@link Fences}). */
    private final AtomicLong fences = new AtomicLong();
    private final ConcurrentHashMap<String, Described> families = new ConcurrentHashMap<>();
    private final List<Consumer<Cursor>> watchers = new CopyOnWriteArrayList<>();
    private final List<Consumer<Optional<String>>> leaseWatchers = new CopyOnWriteArrayList<>();

    public MemoryBackend(StoreConfig config) {
        this.retentionMillis = config.retention().toMillis();
        this.tombstoneRetentionMillis = config.changes().tombstoneRetention().toMillis();
        this.maxSeries = config.maxSeries();
        this.maxFamilies = config.limits().maxFamilies();
        this.epoch = Epochs.next();
        for (LockKind kind : LockKind.values()) {
            locks.put(kind, new LockTable(kind, fences));
        }
    }

    @Override
    public String name() {
        return StoreConfig.Backend.memory.name();
    }

    @Override
    public WriteResult apply(WriteSource source, List<MetricPoint> points, List<Family> described,
                             Optional<WriteFence> fence, Instant now) {
        String[] ids = new String[points.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = points.get(i).seriesId();
        }
        long nowMillis = now.toEpochMilli();
        WriteResult result;
        lock.writeLock().lock();
        try {
            // Under the write lock: every later write is ordered after this check, so once a lease has passed to a
            // successor, no write of the deposed holder lands after the successor's.
            OptionalLong writtenUnder = fence.isEmpty() ? OptionalLong.empty() : OptionalLong.of(
                    locks.get(fence.get().kind()).fence(fence.get().key(), fence.get().token(), fence.get().owner(),
                            nowMillis));
            checkCap(ids, nowMillis);
            checkFamilies(described, nowMillis);
            int applied = 0;
            int unchanged = 0;
            int stale = 0;
            for (int i = 0; i < ids.length; i++) {
                switch (applyOne(ids[i], points.get(i), source)) {
                    case APPLIED -> applied++;
                    case UNCHANGED -> unchanged++;
                    case STALE -> stale++;
                }
            }
            compact();
            describe(described, nowMillis);
            result = new WriteResult(applied, unchanged, stale, new Cursor(epoch, sequence), writtenUnder);
        } finally {
            lock.writeLock().unlock();
        }
        if (result.applied() > 0 || !described.isEmpty()) {
            changed(result.cursor());
        }
        return result;
    }

    @Override
    public void watch(Consumer<Cursor> listener) {
        watchers.add(listener);
    }

    /** Wakes the watchers once the write lock is released, so that they can read the change at once. */
    private void changed(Cursor cursor) {
        watchers.forEach(watcher -> watcher.accept(cursor));
    }

    /** Drops outdated feed and expiry records once they outnumber the series. Caller holds the write lock. */
    private void compact() {
        if (feed.size() > 2 * (series.size() + tombstones.size()) + SLACK) {
            feed.compact();
        }
        if (expiries.size() > 2 * series.size() + SLACK) {
            expiries.clear(series.size());
            series.forEach((id, entry) -> expiries.add(entry.expiresAt, id));
        }
    }

    /**
     * Refuses a batch that would exceed the cap. Expired series not yet collected count neither as live nor as
     * existing, and counting them changes nothing: deletions are the GC's alone.
     */
    private void checkCap(String[] ids, long nowMillis) {
        if (series.size() + ids.length <= maxSeries) {
            return;
        }
        int expired = expiredCount(nowMillis);
        Set<String> created = new HashSet<>();
        for (String id : ids) {
            Entry entry = series.get(id);
            if (entry == null || entry.expiresAt <= nowMillis) {
                created.add(id);
            }
        }
        long live = series.size() - expired;
        // Only new series count: updates are never refused, even when a lowered cap is below the live count.
        if (!created.isEmpty() && live + created.size() > maxSeries) {
            throw new StoreException.SeriesLimitExceeded(live, created.size(), maxSeries);
        }
    }

    /** Refuses a batch that would describe more live families than allowed; re-describing a live one never counts. */
    private void checkFamilies(List<Family> described, long nowMillis) {
        if (families.size() + described.size() <= maxFamilies) {
            return;
        }
        long live = families.values().stream().filter(family -> family.expiresAt() > nowMillis).count();
        long created = described.stream().map(family -> families.get(family.name()))
                .filter(current -> current == null || current.expiresAt() <= nowMillis).count();
        if (created > 0 && live + created > maxFamilies) {
            throw new StoreException.FamilyLimitExceeded(live, created, maxFamilies);
        }
    }

    /** Series whose expiry has passed: the top of the expiry index, O(expired and outdated records there). */
    private int expiredCount(long nowMillis) {
        Set<String> expired = new HashSet<>();
        expiries.forEachDue(nowMillis, (expiresAt, id) -> {
            Entry entry = series.get(id);
            if (entry != null && entry.expiresAt == expiresAt) {
                expired.add(id);
            }
        });
        return expired.size();
    }

    private Precedence.Outcome applyOne(String id, MetricPoint point, WriteSource source) {
        Entry entry = series.get(id);
        Precedence.Outcome outcome = entry == null ? Precedence.Outcome.APPLIED
                : Precedence.decide(entry.updatedAtMillis, entry.source, entry.value, point, source);
        if (outcome != Precedence.Outcome.APPLIED) {
            return outcome;
        }
        long expiresAt = point.updatedAt().toEpochMilli() + retentionMillis;
        if (entry == null) {
            entry = new Entry(id, point.name(), point.labels());
            series.put(id, entry);
            order.add(entry);
            Tombstone tombstone = tombstones.remove(id);
            if (tombstone != null) {
                tombstone.sequence = ChangeLog.Owner.GONE;
            }
            expiries.add(expiresAt, id);
        } else if (entry.expiresAt != expiresAt) {
            expiries.add(expiresAt, id);
        }
        entry.value = point.value();
        entry.updatedAtMillis = point.updatedAt().toEpochMilli();
        entry.source = source;
        entry.sequence = ++sequence;
        entry.expiresAt = expiresAt;
        feed.append(entry.sequence, entry);
        return outcome;
    }

    /** Records family descriptions. Caller holds the write lock, so they land with the batch's points. */
    private void describe(List<Family> described, long nowMillis) {
        long expiresAt = nowMillis + retentionMillis;
        for (Family family : described) {
            families.put(family.name(), new Described(family, expiresAt));
        }
    }

    @Override
    public List<Family> families(Instant now) {
        long nowMillis = now.toEpochMilli();
        return families.values().stream()
                .filter(described -> described.expiresAt() > nowMillis)
                .map(Described::family)
                .sorted(Comparator.comparing(Family::name))
                .toList();
    }

    /** Holds the read lock for one seek and at most {@code limit} live entries (plus the expired ones among them). */
    @Override
    public SnapshotPage snapshotPage(Optional<String> name, Optional<SnapshotPage.After> after, int limit,
                                     Instant now) {
        long nowMillis = now.toEpochMilli();
        Entry from = after.map(position -> probe(position.key()))
                .orElseGet(() -> name.map(metric -> new Entry("", metric, Collections.emptySortedMap())).orElse(null));
        lock.readLock().lock();
        try {
            Cursor cursor = after.isPresent() ? served(after.get().cursor()) : new Cursor(epoch, sequence);
            SortedSet<Entry> rest = from == null ? order : order.tailSet(from, after.isEmpty());
            List<Series> page = new ArrayList<>(Math.min(limit, 1024));
            Entry last = null;
            for (Entry entry : rest) {
                if (name.isPresent() && !entry.name.equals(name.get())) {
                    break;
                }
                if (entry.expiresAt <= nowMillis) {
                    continue;
                }
                if (page.size() == limit) {
                    return new SnapshotPage(cursor, page, Optional.of(SeriesId.sortKey(last.name, last.labels)));
                }
                page.add(entry.series());
                last = entry;
            }
            return new SnapshotPage(cursor, page, Optional.empty());
        } finally {
            lock.readLock().unlock();
        }
    }

    /** An entry standing for the series of sort key {@code key}, to seek with. */
    private static Entry probe(String key) {
        SeriesId.Parts parts = SeriesId.parseSortKey(key)
                .orElseThrow(() -> new IllegalArgumentException("not a sort key: " + key));
        return new Entry("", parts.name(), parts.labels());
    }

    /** {@code cursor} if the feed can serve it. Caller holds the lock. */
    private Cursor served(Cursor cursor) {
        if (!cursor.epoch().equals(epoch)) {
            throw new StoreException.CursorExpired(StoreException.CursorExpired.Reason.OTHER_EPOCH);
        }
        if (cursor.sequence() < horizon) {
            throw new StoreException.CursorExpired(StoreException.CursorExpired.Reason.BELOW_HORIZON);
        }
        if (cursor.sequence() > sequence) {
            throw new StoreException.CursorExpired(StoreException.CursorExpired.Reason.AHEAD);
        }
        return cursor;
    }

    @Override
    public Cursor cursor() {
        lock.readLock().lock();
        try {
            return new Cursor(epoch, sequence);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public Delta changes(Cursor since, int limit, Instant now) {
        long nowMillis = now.toEpochMilli();
        lock.readLock().lock();
        try {
            served(since);
            int next = feed.firstAfter(since.sequence());
            List<Change> events = new ArrayList<>(Math.min(limit, feed.size() - next));
            long last = sequence;
            for (; next < feed.size() && events.size() < limit; next++) {
                if (!feed.current(next)) {
                    continue;
                }
                // An expired series is gone for followers even before the GC records its deletion.
                events.add(feed.owner(next) instanceof Entry entry && entry.expiresAt > nowMillis
                        ? Change.upsert(entry.series(), feed.sequence(next))
                        : Change.deletion(feed.owner(next).id, feed.sequence(next)));
                last = feed.sequence(next);
            }
            boolean more = false;
            for (; next < feed.size() && !more; next++) {
                more = feed.current(next);
            }
            return new Delta(new Cursor(epoch, more ? last : sequence), events, more);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public GcReport gc(Instant now) {
        long nowMillis = now.toEpochMilli();
        int expiredSeries;
        int trimmed;
        Cursor after;
        lock.writeLock().lock();
        try {
            expiredSeries = expireSeries(nowMillis);
            trimmed = trimTombstones(nowMillis);
            compact();
            after = new Cursor(epoch, sequence);
        } finally {
            lock.writeLock().unlock();
        }
        if (expiredSeries > 0) {
            changed(after);
        }
        families.values().removeIf(described -> described.expiresAt() <= nowMillis);
        int expiredLocks = 0;
        for (LockTable table : locks.values()) {
            expiredLocks += table.purge(nowMillis);
        }
        return new GcReport(expiredSeries, expiredLocks, trimmed);
    }

    /** Removes every expired series and records its deletion in the feed. Caller holds the write lock. */
    private int expireSeries(long nowMillis) {
        int removed = 0;
        while (!expiries.isEmpty() && expiries.firstTime() <= nowMillis) {
            long expiresAt = expiries.firstTime();
            String id = expiries.firstId();
            expiries.removeFirst();
            Entry entry = series.get(id);
            if (entry == null || entry.expiresAt != expiresAt) {
                continue; // outdated: the series was written again, or already deleted
            }
            series.remove(id);
            order.remove(entry);
            entry.sequence = ChangeLog.Owner.GONE;
            Tombstone tombstone = new Tombstone(id, ++sequence, nowMillis);
            feed.append(tombstone.sequence, tombstone);
            tombstones.put(id, tombstone);
            removed++;
        }
        return removed;
    }

    /** Drops tombstones older than their retention and raises the horizon past them. Caller holds the write lock. */
    private int trimTombstones(long nowMillis) {
        int trimmed = 0;
        Iterator<Tombstone> oldestFirst = tombstones.values().iterator();
        while (oldestFirst.hasNext()) {
            Tombstone tombstone = oldestFirst.next();
            if (tombstone.deletedAt + tombstoneRetentionMillis > nowMillis) {
                break;
            }
            oldestFirst.remove();
            horizon = Math.max(horizon, tombstone.sequence);
            tombstone.sequence = ChangeLog.Owner.GONE;
            trimmed++;
        }
        return trimmed;
    }

    @Override
    public long liveSeries(Instant now) {
        lock.readLock().lock();
        try {
            return series.size() - expiredCount(now.toEpochMilli());
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public Optional<String> unready(Instant now) {
        return Optional.empty();
    }

    /** Lock tables are concurrent maps, each operation one short {@code compute}: never a wait. */
    @Override
    public boolean locksBlock() {
        return false;
    }

    @Override
    public LockGrant acquire(LockKind kind, String key, String token, String owner, Duration ttl, Instant now) {
        return grant(kind, key, locks.get(kind).acquire(key, token, owner, null, now.toEpochMilli(), ttl.toMillis()));
    }

    @Override
    public LockGrant extend(LockKind kind, String key, String token, String owner, Duration ttl, Instant now) {
        return grant(kind, key, locks.get(kind).extend(key, token, owner, now.toEpochMilli(), ttl.toMillis()));
    }

    private static LockGrant grant(LockKind kind, String key, LockTable.Held held) {
        return new LockGrant(kind, key, held.token(), held.fence(), held.expiry());
    }

    @Override
    public void release(LockKind kind, String key, String token, String owner, Instant now) {
        locks.get(kind).release(key, token, owner, now.toEpochMilli());
    }

    @Override
    public Optional<LockState> inspect(LockKind kind, String key, Instant now) {
        return locks.get(kind).held(key, now.toEpochMilli())
                .map(held -> new LockState(kind, key, held.fence(), held.expiry()));
    }

    @Override
    public LeaseGrant campaign(String name, String token, String owner, String holder, Duration ttl, Instant now) {
        LockTable.Held held = leases().acquire(name, token, owner, holder, now.toEpochMilli(), ttl.toMillis());
        leaseChanged(name);
        return grant(name, held);
    }

    @Override
    public LeaseGrant renew(String name, String token, String owner, Duration ttl, Instant now) {
        LockTable.Held held = leases().extend(name, token, owner, now.toEpochMilli(), ttl.toMillis());
        leaseChanged(name);
        return grant(name, held);
    }

    @Override
    public void resign(String name, String token, String owner, Instant now) {
        leases().release(name, token, owner, now.toEpochMilli());
        leaseChanged(name);
    }

    @Override
    public Optional<LeaseState> observe(String name, Instant now) {
        return leases().held(name, now.toEpochMilli()).map(held -> LockTable.state(name, held));
    }

    @Override
    public void watchLeases(Consumer<Optional<String>> listener) {
        leaseWatchers.add(listener);
    }

    private LockTable leases() {
        return locks.get(LockKind.LEASE);
    }

    private void leaseChanged(String name) {
        Optional<String> changed = Optional.of(name);
        leaseWatchers.forEach(watcher -> watcher.accept(changed));
    }

    private static LeaseGrant grant(String name, LockTable.Held held) {
        return new LeaseGrant(name, held.holder(), held.token(), held.fence(), held.expiry());
    }

    /**
     * One stored series. The identity comes from its first write; the sample is updated in place, so a rewrite
     * leaves nothing behind that outlives its request. (A new object graph per write was promoted by every young
     * collection, and the collector's work grew with the number of series.)
     */
    private static final class Entry extends ChangeLog.Owner {
        final String name;
        final SortedMap<String, String> labels;
        double value;
        long updatedAtMillis;
        WriteSource source;
        long expiresAt;

        Entry(String id, String name, SortedMap<String, String> labels) {
            super(id);
            this.name = name;
            this.labels = labels;
        }

        Series series() {
            return new Series(id, new MetricPoint(name, labels, value, Instant.ofEpochMilli(updatedAtMillis)), source);
        }
    }

    private record Described(Family family, long expiresAt) {
    }

    /** A deleted series kept in the feed until the tombstone retention has passed. */
    private static final class Tombstone extends ChangeLog.Owner {
        final long deletedAt;

        Tombstone(String id, long sequence, long deletedAt) {
            super(id);
            this.sequence = sequence;
            this.deletedAt = deletedAt;
        }
    }
}
