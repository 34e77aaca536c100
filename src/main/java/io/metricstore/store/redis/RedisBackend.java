package io.metricstore.store.redis;

import io.metricstore.store.BackendUnavailableException;
import io.metricstore.store.StoreBackend;
import io.metricstore.store.StoreConfig;
import io.metricstore.store.StoreException;
import io.metricstore.store.model.Change;
import io.metricstore.store.model.Cursor;
import io.metricstore.store.model.Delta;
import io.metricstore.store.model.Epochs;
import io.metricstore.store.model.Family;
import io.metricstore.store.model.GcReport;
import io.metricstore.store.model.LockGrant;
import io.metricstore.store.model.LockKind;
import io.metricstore.store.model.LockState;
import io.metricstore.store.model.MetricPoint;
import io.metricstore.store.model.MetricType;
import io.metricstore.store.model.Precedence;
import io.metricstore.store.model.SampleValue;
import io.metricstore.store.model.Series;
import io.metricstore.store.model.SeriesId;
import io.metricstore.store.model.Snapshot;
import io.metricstore.store.model.WriteResult;
import io.metricstore.store.model.WriteSource;
import io.quarkus.arc.ActiveResult;
import io.quarkus.arc.InjectableInstance;
import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.inject.Typed;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The shared backend: state in Redis, so any number of replicas see the same series, feed and locks.
 *
 * <h2>Keys</h2>
 * Every key starts with {@code {ns}:}, the namespace as a Cluster hash tag, so one namespace lives in one slot and
 * every script may touch all of its keys:
 * <ul>
 *   <li>{@code epoch} (string, created once with the state), {@code seq} (the sequence), {@code horizon};</li>
 *   <li>{@code s:<series id>}: hash {@code v} value, {@code t} updatedAt ms, {@code s} source, {@code r} precedence
 *       rank; {@code PEXPIREAT updatedAt + retention}, so memory is reclaimed even if no replica runs;</li>
 *   <li>{@code index}: sorted set of series ids scored by expiry, so the GC finds expired series without a scan;</li>
 *   <li>{@code changes}: the compacted feed, a sorted set of series ids scored by the sequence of their last change
 *       (tombstones included); {@code tombstones}: deleted ids scored by deletion time;</li>
 *   <li>{@code lock:<kind>:<key>}: hash {@code token}, {@code fence}, {@code exp}, expiring with the lease;
 *       {@code locks}: sorted set of held locks by expiry; {@code fences:<kind>}: hash of the last fence per key,
 *       never expiring;</li>
 *   <li>{@code families}: hash of family name to type and help; {@code families:expiry}: their expiry.</li>
 * </ul>
 *
 * <h2>Atomicity</h2>
 * Each Lua script is atomic. A batch of up to {@value #CHUNK} points is one script: the cap check, precedence and
 * feed are one step. A larger batch is applied in chunks of {@value #CHUNK} points, in order, each atomic, so that
 * no script blocks Redis for long; the first chunk checks the series cap for the whole batch, so a refused batch
 * writes nothing. What is not atomic across chunks: readers may see the first chunks before the last; a batch that
 * fails midway (Redis unreachable) may be partly applied, and retrying it is safe because the replayed points are
 * unchanged or stale; and concurrent multi-chunk batches each pass their cap check before the others' later chunks
 * land, so together they may exceed the cap by the new series of their later chunks. Snapshots and GC work in
 * pages of {@value #PAGE}, each page atomic.
 *
 * <p>Time is the caller's clock, passed to every script, so the replicas' clocks must be synchronised (NTP), as
 * they must be for {@code updatedAt} anyway. Redis' own expiry only reclaims memory behind that logic.
 */
@Singleton
@Typed(RedisBackend.class)
public class RedisBackend implements StoreBackend {

    static final int CHUNK = 1000;
    static final int PAGE = 1000;

    private final RedisDataSource redis;
    private final RedisGuard guard;
    private final long retentionMillis;
    private final long tombstoneRetentionMillis;
    private final int maxSeries;
    private final String prefix;
    private final List<String> feedKeys;
    private final List<String> pageKeys;
    private final List<String> gcKeys;
    private final List<String> familyKeys;

    /**
     * The bean constructor. The data source comes through {@link Instance}: with the memory backend and no
     * {@code quarkus.redis.hosts} the Redis client is inactive, and a plain injection point would fail start-up
     * although this bean is never created then.
     */
    @Inject
    public RedisBackend(InjectableInstance<RedisDataSource> redis, StoreConfig config, RedisGuard guard) {
        this(active(redis), config, guard);
    }

    /** With {@code store.backend=redis} a Redis client must be configured: say so at start-up, by property name. */
    private static RedisDataSource active(InjectableInstance<RedisDataSource> redis) {
        ActiveResult active = redis.getHandle().getBean().checkActive();
        if (!active.value()) {
            throw new IllegalStateException("store.backend=redis needs a Redis: set quarkus.redis.hosts (for example "
                    + "redis://localhost:6379), or run dev mode where Dev Services can start one. "
                    + active.inactiveReason());
        }
        return redis.get();
    }

    public RedisBackend(RedisDataSource redis, StoreConfig config, RedisGuard guard) {
        this.redis = redis;
        this.guard = guard;
        this.retentionMillis = config.retention().toMillis();
        this.tombstoneRetentionMillis = config.changes().tombstoneRetention().toMillis();
        this.maxSeries = config.maxSeries();
        this.prefix = "{" + config.namespace() + "}:";
        this.feedKeys = List.of(key("epoch"), key("seq"), key("index"), key("changes"), key("tombstones"));
        this.pageKeys = List.of(key("epoch"), key("seq"), key("horizon"), key("changes"));
        this.familyKeys = List.of(key("families"), key("families:expiry"));
        this.gcKeys = List.of(key("epoch"), key("seq"), key("index"), key("changes"), key("tombstones"),
                key("horizon"), key("locks"), familyKeys.get(0), familyKeys.get(1));
    }

    private String key(String name) {
        return prefix + name;
    }

    private String seriesKey(String id) {
        return prefix + "s:" + id;
    }

    private static String lockMember(LockKind kind, String key) {
        return kind.wire() + ":" + key;
    }

    @Override
    public String name() {
        return StoreConfig.Backend.redis.name();
    }

    // ---- series

    @Override
    public WriteResult apply(WriteSource source, List<MetricPoint> points, Instant now) {
        if (points.isEmpty()) {
            return new WriteResult(0, 0, 0, cursor());
        }
        Set<String> distinct = new LinkedHashSet<>();
        List<String> ids = new ArrayList<>(points.size());
        for (MetricPoint point : points) {
            String id = point.seriesId();
            ids.add(id);
            distinct.add(id);
        }
        int applied = 0;
        int unchanged = 0;
        int stale = 0;
        Response last = null;
        for (int from = 0; from < points.size(); from += CHUNK) {
            int to = Math.min(points.size(), from + CHUNK);
            boolean first = from == 0;
            List<String> keys = new ArrayList<>(feedKeys.size() + to - from);
            keys.addAll(feedKeys);
            List<String> args = new ArrayList<>(5 + (first ? distinct.size() : 0) + 5 * (to - from));
            args.add(Epochs.next());
            args.add(Long.toString(now.toEpochMilli()));
            args.add(Integer.toString(first ? maxSeries : 0));
            args.add(source.wire());
            args.add(Integer.toString(first ? distinct.size() : 0));
            if (first) {
                args.addAll(distinct);
            }
            for (int i = from; i < to; i++) {
                MetricPoint point = points.get(i);
                long updatedAt = point.updatedAt().toEpochMilli();
                keys.add(seriesKey(ids.get(i)));
                args.add(ids.get(i));
                args.add(SampleValue.text(point.value()));
                args.add(Long.toString(updatedAt));
                args.add(Long.toString(Precedence.rank(point, source)));
                args.add(Long.toString(updatedAt + retentionMillis));
            }
            Response result = script(RedisScripts.UPSERT, keys, args, true);
            if ("CAP".equals(result.get(0).toString())) {
                throw new StoreException.SeriesLimitExceeded(result.get(2).toLong(), result.get(3).toLong(), maxSeries);
            }
            applied += result.get(3).toInteger();
            unchanged += result.get(4).toInteger();
            stale += result.get(5).toInteger();
            last = result;
        }
        return new WriteResult(applied, unchanged, stale,
                new Cursor(last.get(1).toString(), Long.parseLong(last.get(2).toString())));
    }

    @Override
    public void describe(List<Family> families, Instant now) {
        List<String> args = new ArrayList<>(3 * families.size());
        String expiry = Long.toString(now.toEpochMilli() + retentionMillis);
        for (Family family : families) {
            args.add(family.name());
            args.add(family.type().wire() + "\n" + family.help());
            args.add(expiry);
        }
        script(RedisScripts.DESCRIBE, familyKeys, args, true);
    }

    @Override
    public List<Family> families(Instant now) {
        Response pairs = script(RedisScripts.FAMILIES, familyKeys, List.of(Long.toString(now.toEpochMilli())), true);
        List<Family> families = new ArrayList<>(pairs.size() / 2);
        for (int i = 0; i < pairs.size(); i += 2) {
            String described = pairs.get(i + 1).toString();
            int newline = described.indexOf('\n');
            families.add(new Family(pairs.get(i).toString(),
                    MetricType.parse(described.substring(0, newline)).orElseThrow(), described.substring(newline + 1)));
        }
        families.sort(Comparator.comparing(Family::name));
        return families;
    }

    @Override
    public Snapshot snapshot(Optional<String> name, Instant now) {
        // A snapshot whose pages straddle a loss of Redis' data would mix two states: start over in the new one.
        for (int attempt = 0; ; attempt++) {
            Page first = page("", 0, PAGE, "snapshot", now, name.orElse(""));
            if (first.expired() != null) {
                throw new IllegalStateException("the first snapshot page cannot expire");
            }
            Map<String, Series> live = new HashMap<>();
            first.events().forEach(change -> live.put(change.id(), change.series()));
            Page page = first;
            while (page.more()) {
                page = page(first.epoch(), page.lastScanned(), PAGE, "snapshot", now, name.orElse(""));
                if (page.expired() != null) {
                    break;
                }
                page.events().forEach(change -> live.put(change.id(), change.series()));
            }
            if (page.expired() == null) {
                return new Snapshot(new Cursor(first.epoch(), first.sequence()), SeriesId.sorted(live.values()));
            }
            if (attempt == 2) {
                throw new BackendUnavailableException("Redis lost its data three times during one snapshot", null);
            }
        }
    }

    @Override
    public Cursor cursor() {
        Response result = script(RedisScripts.CURSOR, feedKeys.subList(0, 2), List.of(Epochs.next()), true);
        return new Cursor(result.get(0).toString(), Long.parseLong(result.get(1).toString()));
    }

    @Override
    public Delta changes(Cursor since, int limit, Instant now) {
        Page page = page(since.epoch(), since.sequence(), limit, "delta", now, "");
        if (page.expired() != null) {
            throw new StoreException.CursorExpired(switch (page.expired()) {
                case "epoch" -> "the cursor belongs to an earlier state of the store";
                case "horizon" -> "the cursor is older than the change feed keeps";
                default -> "the cursor is ahead of the store";
            });
        }
        long next = page.more() ? page.lastScanned() : page.sequence();
        return new Delta(new Cursor(page.epoch(), next), page.events(), page.more());
    }

    private record Page(String expired, String epoch, long sequence, boolean more, long lastScanned,
                        List<Change> events) {
    }

    private Page page(String expectedEpoch, long after, int limit, String mode, Instant now, String name) {
        Response result = script(RedisScripts.PAGE, pageKeys, List.of(Epochs.next(), expectedEpoch,
                Long.toString(after), Integer.toString(limit), prefix + "s:", mode, Long.toString(now.toEpochMilli()),
                Long.toString(retentionMillis), name), true);
        if ("EXPIRED".equals(result.get(0).toString())) {
            return new Page(result.get(1).toString(), null, 0, false, 0, List.of());
        }
        List<Change> events = new ArrayList<>((result.size() - 5) / 6);
        for (int i = 5; i < result.size(); i += 6) {
            String id = result.get(i).toString();
            if ("1".equals(result.get(i + 2).toString())) {
                events.add(Change.deletion(id));
            } else {
                MetricPoint point = SeriesId.parse(id, SampleValue.parse(result.get(i + 3).toString()),
                        Instant.ofEpochMilli(Long.parseLong(result.get(i + 4).toString())));
                WriteSource source = WriteSource.parse(result.get(i + 5).toString()).orElseThrow();
                events.add(Change.upsert(new Series(id, point, source)));
            }
        }
        return new Page(null, result.get(1).toString(), Long.parseLong(result.get(2).toString()),
                result.get(3).toInteger() == 1, (long) Double.parseDouble(result.get(4).toString()), events);
    }

    @Override
    public GcReport gc(Instant now) {
        int series = 0;
        int locks = 0;
        int tombstones = 0;
        List<String> args = List.of(Epochs.next(), Long.toString(now.toEpochMilli()),
                Long.toString(now.toEpochMilli() - tombstoneRetentionMillis), Integer.toString(PAGE), prefix);
        boolean more = true;
        while (more) {
            Response step = script(RedisScripts.GC, gcKeys, args, true);
            int s = step.get(0).toInteger();
            int l = step.get(1).toInteger();
            int t = step.get(2).toInteger();
            int f = step.get(3).toInteger();
            series += s;
            locks += l;
            tombstones += t;
            more = s == PAGE || l == PAGE || t == PAGE || f == PAGE;
        }
        return new GcReport(series, locks, tombstones);
    }

    @Override
    public long liveSeries(Instant now) {
        return guarded(() -> redis.execute("ZCOUNT", key("index"), "(" + now.toEpochMilli(), "+inf").toLong(), true);
    }

    @Override
    public boolean locksBlock() {
        return true;
    }

    @Override
    public boolean ready() {
        try {
            return "PONG".equals(guarded(() -> redis.execute("PING").toString(), true));
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public Map<String, String> details() {
        return Map.of("circuit", guard.circuit().name().toLowerCase(Locale.ROOT));
    }

    // ---- locks

    @Override
    public LockGrant acquire(LockKind kind, String key, String token, Duration ttl, Instant now) {
        long expiry = now.toEpochMilli() + ttl.toMillis();
        Response result = script(RedisScripts.ACQUIRE,
                List.of(lockKey(kind, key), key("fences:" + kind.wire()), key("locks")),
                List.of(token, Long.toString(now.toEpochMilli()), Long.toString(expiry), lockMember(kind, key), key),
                true);
        if (result.get(0).toInteger() == 0) {
            throw new StoreException.LockHeld(kind, key, Instant.ofEpochMilli(Long.parseLong(result.get(1).toString())));
        }
        return new LockGrant(kind, key, token, Long.parseLong(result.get(1).toString()), Instant.ofEpochMilli(expiry));
    }

    @Override
    public LockGrant extend(LockKind kind, String key, String token, Duration ttl, Instant now) {
        long expiry = now.toEpochMilli() + ttl.toMillis();
        Response result = ownerOperation(kind, key, token, now, expiry, "extend", true);
        return new LockGrant(kind, key, token, Long.parseLong(result.get(1).toString()), Instant.ofEpochMilli(expiry));
    }

    @Override
    public void release(LockKind kind, String key, String token, Instant now) {
        // Not retried: a release whose reply was lost would be repeated as "not held".
        ownerOperation(kind, key, token, now, now.toEpochMilli(), "release", false);
    }

    private Response ownerOperation(LockKind kind, String key, String token, Instant now, long expiry,
                                    String operation, boolean retry) {
        Response result = script(RedisScripts.EXTEND, List.of(lockKey(kind, key), key("locks")),
                List.of(token, Long.toString(now.toEpochMilli()), Long.toString(expiry), lockMember(kind, key),
                        operation), retry);
        switch (result.get(0).toInteger()) {
            case -1 -> throw new StoreException.LockNotHeld(kind, key);
            case -2 -> throw new StoreException.LockTokenMismatch(kind, key);
            default -> {
                return result;
            }
        }
    }

    @Override
    public Optional<LockState> inspect(LockKind kind, String key, Instant now) {
        Response held = guarded(() -> redis.execute("HMGET", lockKey(kind, key), "fence", "exp"), true);
        if (held.get(1) == null || Long.parseLong(held.get(1).toString()) <= now.toEpochMilli()) {
            return Optional.empty();
        }
        return Optional.of(new LockState(kind, key, Long.parseLong(held.get(0).toString()),
                Instant.ofEpochMilli(Long.parseLong(held.get(1).toString()))));
    }

    private String lockKey(LockKind kind, String key) {
        return prefix + "lock:" + lockMember(kind, key);
    }

    // ---- round trips

    private Response script(RedisScripts.Script script, List<String> keys, List<String> args, boolean retry) {
        return guarded(() -> RedisScripts.run(redis, script, keys, args), retry);
    }

    /** One round trip through the guard; client failures become {@link BackendUnavailableException}s. */
    private <T> T guarded(Supplier<T> roundTrip, boolean retry) {
        return guard.call(() -> {
            try {
                return roundTrip.get();
            } catch (StoreException refusal) {
                throw refusal;
            } catch (RuntimeException failure) {
                RuntimeException translated = RedisFailures.translate(failure);
                if (!retry && translated instanceof BackendUnavailableException unavailable) {
                    throw new BackendUnavailableException.NotRetryable(unavailable);
                }
                throw translated;
            }
        });
    }
}
