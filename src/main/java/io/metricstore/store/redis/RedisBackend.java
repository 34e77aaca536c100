package io.metricstore.store.redis;

import io.metricstore.store.BackendUnavailableException;
import io.metricstore.store.Breaker;
import io.metricstore.store.CircuitState;
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
import io.metricstore.store.model.SampleValue;
import io.metricstore.store.model.Series;
import io.metricstore.store.model.SeriesId;
import io.metricstore.store.model.SnapshotPage;
import io.metricstore.store.model.WriteFence;
import io.metricstore.store.model.WriteResult;
import io.metricstore.store.model.WriteSource;
import io.metricstore.store.redis.RedisScripts.OwnerOperation;
import io.quarkus.arc.ActiveResult;
import io.quarkus.arc.InjectableInstance;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.mutiny.redis.client.Response;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.Map;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;
import org.jboss.logging.Logger;

/**
 * The shared backend: state in Redis, so any number of replicas see the same series, feed and locks. The layout of
 * the keys is in {@link RedisKeys}; each script's reply is decoded in {@link Replies}.
 *
 * <h2>Atomicity</h2>
 * Each Lua script is atomic, and a batch (up to {@code store.max-batch} points) is one script: the cap check,
 * precedence and feed are one step, so a refused batch writes nothing and concurrent batches never exceed the cap
 * together. {@code store.max-batch} therefore also bounds how long one script holds Redis
 * ({@code docs/benchmarks.md}). Snapshots and the GC work in pages of at most {@value #PAGE}: a read script lists a
 * page of series (a range of the order set for a snapshot, due members of the expiry index for the GC), a second
 * reads or removes their keys (declared, as Redis Cluster requires), checking each again.
 *
 * <h2>Faults (SPEC §5)</h2>
 * Every script that changes the feed checks the epoch against the Redis process it runs on ({@code state.lua}), so a
 * restart or a failover that may have lost writes starts a new epoch in the same step as the next write. Fences are
 * above the time floor ({@link Fences}). With {@code store.redis.min-replicas-ack} a write is acknowledged only once
 * that many replicas confirm it ({@code WAIT} on the write's own connection). {@link ServerCheck} keeps this replica's
 * clock within {@code store.max-replica-skew} of Redis' and refuses another key layout. Time is the caller's clock,
 * passed to every script; Redis' own key expiry comes {@link #expiryMargin} after the store's rule, so it only
 * reclaims memory behind that rule, never ahead of it.
 */
@Singleton
@ForBackend(StoreConfig.Backend.redis)
public class RedisBackend implements StoreBackend {

    private static final Logger LOG = Logger.getLogger(RedisBackend.class);

    static final int PAGE = 1000;
    /** Redis' own expiry of a key comes this long, plus the allowed clock skew, after the store's rule expires it. */
    static final Duration EXPIRY_MARGIN = Duration.ofMinutes(1);
    /** How long a migrating replica holds the namespace's migration key without taking a step. */
    static final Duration MIGRATION_HOLD = Duration.ofSeconds(30);

    private final RedisDataSource redis;
    private final RedisGuard guard;
    private final RedisWriteGuard writeGuard;
    private final RedisRetry retry;
    private final long retentionMillis;
    private final long tombstoneRetentionMillis;
    private final int maxSeries;
    private final int maxFamilies;
    private final String expiryMargin;
    private final long maxReplicaSkewMillis;
    private final int minReplicasAck;
    private final String minReplicasAckTimeout;
    private final RedisKeys keys;
    private final ServerCheck server;
    private final RedisWatch watch;
    /** Whether a thread of this replica migrates the namespace's key layout now ({@link #migrate}). */
    private final AtomicBoolean migrating = new AtomicBoolean();
    /** This replica's token in the namespace's migration key. */
    private final String migrationToken = "migration-" + UUID.randomUUID();
    /** Whether the last round trip reached Redis: the outage and the recovery are each logged once. */
    private final AtomicBoolean reachable = new AtomicBoolean(true);
    /** Why the last attempt failed to reach Redis (attempts are retried, so the caller may only see the breaker). */
    private volatile String lastFailure = "no answer";
    /** Whether the last write went through: a refusal of writes and its end are each logged once. */
    private final AtomicBoolean writable = new AtomicBoolean(true);
    /** Why the last write failed, while no write has gone through since. */
    private volatile WriteFailure writeFailure;

    /**
     * The bean constructor. The data source comes through {@link InjectableInstance}: with the memory backend and no
     * {@code quarkus.redis.hosts} the Redis client is inactive, and a plain injection point would fail start-up
     * although this bean is never created then.
     */
    @Inject
    public RedisBackend(InjectableInstance<RedisDataSource> redis, StoreConfig config, RedisGuard guard,
                        RedisWriteGuard writeGuard, RedisRetry retry, Clock clock, Config settings) {
        this(active(redis), config, guard, writeGuard, retry, clock);
        String clientType = settings.getOptionalValue("quarkus.redis.client-type", String.class).orElse("standalone");
        if (minReplicasAck > 0 && clientType.equalsIgnoreCase("cluster")) {
            // WAIT names no key, so a Cluster client sends it to any primary, not the one that took the write.
            throw new ConfigurationException("store.redis.min-replicas-ack=" + minReplicasAck + " does not work with "
                    + "quarkus.redis.client-type=cluster: set store.redis.min-replicas-ack=0, or use a standalone or "
                    + "Sentinel Redis");
        }
    }

    /** With {@code store.backend=redis} a Redis client must be configured: say so at start-up, by property name. */
    private static RedisDataSource active(InjectableInstance<RedisDataSource> redis) {
        ActiveResult active = redis.getHandle().getBean().checkActive();
        if (!active.value()) {
            throw new ConfigurationException("store.backend=redis needs a Redis: set quarkus.redis.hosts (for example "
                    + "redis://localhost:6379). In dev mode, Dev Services start one only where a container runtime "
                    + "(Docker or Podman) works.");
        }
        return redis.get();
    }

    public RedisBackend(RedisDataSource redis, StoreConfig config, RedisGuard guard, RedisWriteGuard writeGuard,
                        RedisRetry retry, Clock clock) {
        this.redis = redis;
        this.guard = guard;
        this.writeGuard = writeGuard;
        this.retry = retry;
        this.retentionMillis = config.retention().toMillis();
        this.tombstoneRetentionMillis = config.changes().tombstoneRetention().toMillis();
        this.maxSeries = config.maxSeries();
        this.maxFamilies = config.limits().maxFamilies();
        this.expiryMargin = Long.toString(EXPIRY_MARGIN.plus(config.maxReplicaSkew()).toMillis());
        this.maxReplicaSkewMillis = config.maxReplicaSkew().toMillis();
        this.minReplicasAck = config.redis().minReplicasAck();
        Duration ackTimeout = config.redis().minReplicasAckTimeout();
        if (minReplicasAck > 0 && ackTimeout.compareTo(guard.timeout()) >= 0) {
            throw new ConfigurationException("store.redis.min-replicas-ack-timeout (" + ackTimeout.toMillis() + " ms) "
                    + "must be shorter than the timeout of a Redis round trip (" + guard.timeout().toMillis() + " ms, "
                    + RedisGuard.class.getName() + "/call/Timeout/value)");
        }
        this.minReplicasAckTimeout = Long.toString(ackTimeout.toMillis());
        this.keys = new RedisKeys(config.namespace());
        // Not retried: a retried probe's round trip would widen what the clock check must allow.
        this.watch = new RedisWatch(redis.getReactive().getRedis(), keys.watch, this::cursor, config.exposition().refresh(),
                config.changes().bookmarkInterval());
        this.server = new ServerCheck(() -> Replies.Probe.decode(script(Breaker.READS, RedisScripts.PROBE,
                List.of(keys.meta), List.of(), false)), System::nanoTime, clock, config.maxReplicaSkew(),
                guard.retryAfter(Breaker.READS));
    }

    @Override
    public String name() {
        return StoreConfig.Backend.redis.name();
    }

    // ---- series

    @Override
    public WriteResult apply(WriteSource source, List<MetricPoint> points, List<Family> families,
                             Optional<WriteFence> fence, Instant now) {
        if (points.isEmpty() && families.isEmpty() && fence.isEmpty()) {
            return new WriteResult(0, 0, 0, cursor());
        }
        server.require();
        Set<String> distinct = new LinkedHashSet<>();
        List<String> scriptKeys = new ArrayList<>(8 + points.size());
        scriptKeys.addAll(keys.upsert());
        scriptKeys.add(fence.map(under -> keys.lock(under.kind(), under.key())).orElse(keys.meta));
        List<String> values = new ArrayList<>(6 * points.size());
        for (MetricPoint point : points) {
            String id = point.seriesId();
            distinct.add(id);
            long updatedAt = point.updatedAt().toEpochMilli();
            scriptKeys.add(keys.series(id));
            values.add(id);
            values.add(SampleValue.text(point.value()));
            values.add(Long.toString(updatedAt));
            values.add(Long.toString(Precedence.rank(point, source)));
            values.add(Long.toString(updatedAt + retentionMillis));
            values.add(SeriesId.sortKey(point.name(), point.labels()));
        }
        List<String> args = new ArrayList<>(15 + 2 * families.size() + distinct.size() + values.size());
        args.add(Epochs.next());
        args.add(RedisKeys.LAYOUT);
        args.add(Long.toString(now.toEpochMilli()));
        args.add(Integer.toString(maxSeries));
        args.add(source.wire());
        args.add(expiryMargin);
        args.add(minReplicasAck > 0 ? "1" : "0");
        args.add(Long.toString(now.toEpochMilli() + retentionMillis));
        args.add(Integer.toString(families.size()));
        args.add(Integer.toString(distinct.size()));
        args.add(keys.watch);
        args.add(fence.isPresent() ? "1" : "");
        args.add(fence.map(WriteFence::token).orElse(""));
        args.add(fence.map(WriteFence::owner).orElse(""));
        args.add(Integer.toString(maxFamilies));
        for (Family family : families) {
            args.add(family.name());
            args.add(family.type().wire() + "\n" + family.help());
        }
        args.addAll(distinct);
        args.addAll(values);
        AtomicInteger attempts = new AtomicInteger();
        Acknowledged written = acknowledged(connection -> {
            attempts.incrementAndGet();
            return RedisScripts.run(connection, RedisScripts.UPSERT, scriptKeys, args);
        }, true);
        Replies.Upsert reply = Replies.Upsert.decode(written.reply());
        if (reply instanceof Replies.Capped capped) {
            throw new StoreException.SeriesLimitExceeded(capped.live(), capped.created(), maxSeries);
        }
        if (reply instanceof Replies.FamiliesCapped capped) {
            throw new StoreException.FamilyLimitExceeded(capped.live(), capped.created(), maxFamilies);
        }
        if (reply instanceof Replies.Fenced fenced) {
            WriteFence under = fence.orElseThrow();
            if (attempts.get() > 1) {
                // An attempt that timed out may still have run, while the token held the lease: "nothing was
                // written" would then be false.
                throw new BackendUnavailableException("Redis answered the batch's first attempt too late, and the "
                        + "retry found " + (under.lease() ? "lease '" : under.kind().wire() + " lock '") + under.key()
                        + "' no longer held by this token: the first attempt may have written the batch while it was "
                        + "still held; read the series to see, and hold the " + (under.lease() ? "lease" : "lock")
                        + " again before writing", null, guard.retryAfter(Breaker.WRITES));
            }
            throw under.lease()
                    ? new StoreException.NotLeader(under.key(), fenced.holder().map(held -> new LeaseState(under.key(),
                            held.holder(), held.fence(), held.expiresAt())))
                    : new StoreException.LockLost(under.kind(), under.key());
        }
        confirmed(written);
        Replies.Upserted batch = (Replies.Upserted) reply;
        return new WriteResult(batch.applied(), batch.unchanged(), batch.stale(), batch.cursor(), batch.fence());
    }

    @Override
    public List<Family> families(Instant now) {
        List<Family> families = Replies.families(script(Breaker.READS, RedisScripts.FAMILIES, keys.familyKeys(),
                List.of(Long.toString(now.toEpochMilli())), true));
        families.sort(Comparator.comparing(Family::name));
        return families;
    }

    /**
     * Reads sort keys from the order set and then their series, until the page is full or the range is read: a series
     * listed there may have expired meanwhile (or been deleted between the two reads), and is left out.
     */
    @Override
    public SnapshotPage snapshotPage(Optional<String> name, Optional<SnapshotPage.After> after, int limit,
                                     Instant now) {
        // A metric name's sort keys all start with the name and U+0000, and nothing else does.
        String to = name.map(metric -> "(" + metric + '\u0001').orElse("+");
        String from = after.map(position -> "(" + position.key())
                .orElseGet(() -> name.map(metric -> "[" + metric + '\u0000').orElse("-"));
        Optional<Cursor> walk = after.map(SnapshotPage.After::cursor);
        List<Series> page = new ArrayList<>(Math.min(limit, PAGE));
        String last = null;
        while (true) {
            int wanted = Math.min(limit + 1 - page.size(), PAGE);
            Replies.Ordered reply = Replies.Ordered.decode(read(RedisScripts.ORDER, keys.snapshot(), List.of(
                    RedisKeys.LAYOUT, walk.map(Cursor::epoch).orElse(""),
                    Long.toString(walk.map(Cursor::sequence).orElse(0L)), from, to, Integer.toString(wanted))));
            if (reply instanceof Replies.Expired expired) {
                throw new StoreException.CursorExpired(expired.reason());
            }
            Replies.OrderPage keysRead = (Replies.OrderPage) reply;
            // The first read of a walk fixes its cursor; the reads after it check theirs like a later page.
            Cursor cursor = walk.orElse(keysRead.current());
            walk = Optional.of(cursor);
            List<String> ids = new ArrayList<>(keysRead.keys().size());
            List<String> seriesKeys = new ArrayList<>(keysRead.keys().size());
            for (String key : keysRead.keys()) {
                String id = SeriesId.parseSortKey(key)
                        .orElseThrow(() -> new IllegalStateException("not a sort key in " + keys.order + ": " + key))
                        .id();
                ids.add(id);
                seriesKeys.add(keys.series(id));
            }
            Response states = ids.isEmpty() ? null : script(Breaker.READS, RedisScripts.STATES, seriesKeys, List.of(), true);
            for (int i = 0; i < ids.size(); i++) {
                Series series = Replies.live(ids.get(i), states, i, now, retentionMillis);
                if (series == null) {
                    continue;
                }
                if (page.size() == limit) {
                    return new SnapshotPage(cursor, page, Optional.of(last));
                }
                page.add(series);
                last = keysRead.keys().get(i);
            }
            if (keysRead.keys().size() < wanted) {
                return new SnapshotPage(cursor, page, Optional.empty());
            }
            from = "(" + keysRead.keys().get(keysRead.keys().size() - 1);
        }
    }

    @Override
    public Cursor cursor() {
        Cursor current = Replies.cursor(read(RedisScripts.CURSOR, keys.cursor(), List.of(RedisKeys.LAYOUT)));
        watch.observed(current);
        return current;
    }

    @Override
    public Delta changes(Cursor since, int limit, Instant now) {
        Replies.Page reply = Replies.Page.decode(read(RedisScripts.PAGE, keys.page(), List.of(RedisKeys.LAYOUT,
                since.epoch(), Long.toString(since.sequence()), Integer.toString(limit))));
        if (reply instanceof Replies.Expired expired) {
            throw new StoreException.CursorExpired(expired.reason());
        }
        Replies.FeedPage page = (Replies.FeedPage) reply;
        watch.observed(page.current());
        Cursor next = page.more() ? new Cursor(page.current().epoch(), page.lastScanned()) : page.current();
        return new Delta(next, states(page, now), page.more());
    }

    /** The series a page listed as changes, read after the page (see {@link Replies#changes}). */
    private List<Change> states(Replies.FeedPage page, Instant now) {
        List<String> ids = page.ids();
        if (ids.isEmpty()) {
            return List.of();
        }
        List<String> seriesKeys = new ArrayList<>(ids.size());
        ids.forEach(id -> seriesKeys.add(keys.series(id)));
        return Replies.changes(ids, page.sequences(), script(Breaker.READS, RedisScripts.STATES, seriesKeys, List.of(),
                true), now, retentionMillis);
    }

    @Override
    public GcReport gc(Instant now) {
        server.require();
        int series = 0;
        int locks = 0;
        int tombstones = 0;
        String at = Long.toString(now.toEpochMilli());
        Replies.GcStep step;
        Replies.Due due;
        do {
            due = Replies.Due.decode(script(Breaker.READS, RedisScripts.DUE, keys.due(),
                    List.of(at, Integer.toString(PAGE)), true));
            List<String> scriptKeys = new ArrayList<>(keys.gc());
            List<String> args = new ArrayList<>(List.of(Epochs.next(), RedisKeys.LAYOUT, at,
                    Long.toString(now.toEpochMilli() - tombstoneRetentionMillis), Integer.toString(PAGE), keys.watch,
                    Integer.toString(due.series().size())));
            due.series().forEach(id -> scriptKeys.add(keys.series(id)));
            due.locks().forEach(member -> scriptKeys.add(keys.lockOf(member)));
            args.addAll(due.series());
            due.series().forEach(id -> args.add(SeriesId.sortKey(id)));
            args.addAll(due.locks());
            step = Replies.GcStep.decode(namespaced(script(Breaker.WRITES, RedisScripts.GC, scriptKeys, args, true)));
            series += step.series();
            locks += step.locks();
            tombstones += step.tombstones();
        } while (due.series().size() == PAGE || due.locks().size() == PAGE || step.tombstones() == PAGE
                || step.families() == PAGE);
        return new GcReport(series, locks, tombstones);
    }

    @Override
    public long liveSeries(Instant now) {
        return guarded(Breaker.READS, () -> redis.execute("ZCOUNT", keys.index, "(" + now.toEpochMilli(), "+inf")
                .toLong(), true);
    }

    @Override
    public boolean locksBlock() {
        return true;
    }

    @Override
    public void watch(Consumer<Cursor> listener) {
        watch.add(listener);
    }

    /** Ends the watch subscription (its connection and its thread). */
    @Override
    public void stopWatching() {
        watch.close();
    }

    /**
     * Not ready while Redis is unreachable (a {@code PING} then tells when it is back), or while the {@link ServerCheck}
     * finds a problem. Redis refusing writes only leaves the replica ready ({@link #unwritable}).
     */
    @Override
    public Optional<String> unready(Instant now) {
        try {
            if (!reachable.get()) {
                guarded(Breaker.READS, () -> redis.execute("PING"), false);
            }
            Optional<String> problem = server.problem();
            // Readiness is what a replica of this version calls first, before it takes requests: it migrates.
            if (problem.isPresent() && server.found(RedisKeys.PREVIOUS_LAYOUT) && migrate()) {
                return server.problem();
            }
            return problem;
        } catch (RuntimeException unavailable) {
            return Optional.of(unavailable.getMessage());
        }
    }

    /**
     * While the writes breaker is not closed, or for one breaker delay after a write failed (a breaker needs several
     * failures to open), the last write's failure.
     */
    @Override
    public Optional<String> unwritable() {
        WriteFailure failure = writeFailure;
        CircuitState writes = guard.circuit(Breaker.WRITES);
        boolean recent = failure != null
                && System.nanoTime() - failure.atNanos() < guard.retryAfter(Breaker.WRITES).toNanos();
        if (writes == CircuitState.CLOSED && !recent) {
            return Optional.empty();
        }
        return Optional.of(failure == null ? "writes are paused (circuit " + writes.wire() + ")" : failure.reason());
    }

    @Override
    public Map<Breaker, CircuitState> circuits() {
        Map<Breaker, CircuitState> circuits = new EnumMap<>(Breaker.class);
        for (Breaker breaker : Breaker.values()) {
            circuits.put(breaker, guard.circuit(breaker));
        }
        return circuits;
    }

    // ---- locks

    @Override
    public LockGrant acquire(LockKind kind, String key, String token, String owner, Duration ttl, Instant now) {
        Replies.Acquired acquired = acquireCall(kind, key, token, owner, "", ttl, now);
        return new LockGrant(kind, key, token, acquired.fence(), acquired.expiresAt());
    }

    @Override
    public LockGrant extend(LockKind kind, String key, String token, String owner, Duration ttl, Instant now) {
        server.require();
        long expiry = now.toEpochMilli() + ttl.toMillis();
        Replies.Owned owned = ownerCall(kind, key, token, owner, now, expiry, OwnerOperation.EXTEND, true);
        return new LockGrant(kind, key, token, owned.fence(), Instant.ofEpochMilli(expiry));
    }

    @Override
    public void release(LockKind kind, String key, String token, String owner, Instant now) {
        // Not retried: a release whose reply was lost would be repeated as "not held".
        server.require();
        ownerCall(kind, key, token, owner, now, now.toEpochMilli(), OwnerOperation.RELEASE, false);
    }

    @Override
    public LeaseGrant campaign(String name, String token, String owner, String holder, Duration ttl, Instant now) {
        Replies.Acquired acquired = acquireCall(LockKind.LEASE, name, token, owner, holder, ttl, now);
        return new LeaseGrant(name, acquired.holder(), token, acquired.fence(), acquired.expiresAt());
    }

    @Override
    public LeaseGrant renew(String name, String token, String owner, Duration ttl, Instant now) {
        server.require();
        long expiry = now.toEpochMilli() + ttl.toMillis();
        Replies.Owned owned = ownerCall(LockKind.LEASE, name, token, owner, now, expiry, OwnerOperation.EXTEND, true);
        return new LeaseGrant(name, owned.holder(), token, owned.fence(), Instant.ofEpochMilli(expiry));
    }

    @Override
    public void resign(String name, String token, String owner, Instant now) {
        server.require();
        ownerCall(LockKind.LEASE, name, token, owner, now, now.toEpochMilli(), OwnerOperation.RELEASE, false);
    }

    @Override
    public Optional<LeaseState> observe(String name, Instant now) {
        server.require();
        Response fields = guarded(Breaker.READS, () -> redis.execute("HMGET", keys.lock(LockKind.LEASE, name), "fence",
                "exp", "holder"), true);
        return Replies.lockState(LockKind.LEASE, name, fields, now).map(held -> new LeaseState(name,
                fields.get(2) == null ? "" : fields.get(2).toString(), held.fence(), held.expiresAt()));
    }

    @Override
    public void watchLeases(Consumer<Optional<String>> listener) {
        watch.addLeases(listener);
    }

    /** The channel a lock call on {@code kind} publishes on: only leases have observers to wake. */
    private String channel(LockKind kind) {
        return kind == LockKind.LEASE ? keys.watch : "";
    }

    private Replies.Acquired acquireCall(LockKind kind, String key, String token, String owner, String holder,
                                        Duration ttl, Instant now) {
        server.require();
        long expiry = now.toEpochMilli() + ttl.toMillis();
        List<String> args = List.of(token, Long.toString(now.toEpochMilli()), Long.toString(expiry),
                RedisKeys.lockMember(kind, key), Long.toString(Fences.floor(now.toEpochMilli())), expiryMargin,
                RedisKeys.LAYOUT, Long.toString(Fences.seed(now.toEpochMilli(), maxReplicaSkewMillis)), owner, holder,
                channel(kind), key);
        Acknowledged written = acknowledged(
                connection -> RedisScripts.run(connection, RedisScripts.ACQUIRE, keys.acquire(kind, key), args), true);
        Replies.Acquire reply = Replies.Acquire.decode(written.reply());
        if (reply instanceof Replies.Held held) {
            throw kind == LockKind.LEASE
                    ? new StoreException.LeaseHeld(new LeaseState(key, held.holder(), held.fence(), held.expiresAt()))
                    : new StoreException.LockHeld(kind, key, held.expiresAt());
        }
        if (reply instanceof Replies.OtherOwner) {
            throw new StoreException.NotOwner(kind, key);
        }
        confirmed(written);
        return (Replies.Acquired) reply;
    }

    private Replies.Owned ownerCall(LockKind kind, String key, String token, String owner, Instant now, long expiry,
                                    OwnerOperation operation, boolean retry) {
        List<String> args = List.of(token, Long.toString(now.toEpochMilli()), Long.toString(expiry),
                RedisKeys.lockMember(kind, key), operation.arg, expiryMargin, RedisKeys.LAYOUT, owner, channel(kind),
                key);
        // A release lost in a failover leaves the lock held until it expires, which is safe: only an extend waits.
        Function<RedisDataSource, Response> call =
                connection -> RedisScripts.run(connection, RedisScripts.EXTEND, keys.extend(kind, key), args);
        Acknowledged written = operation == OwnerOperation.EXTEND
                ? acknowledged(call, retry)
                : new Acknowledged(namespaced(guarded(Breaker.WRITES, () -> call.apply(redis), retry)), 0);
        Replies.OwnerCall reply = Replies.OwnerCall.decode(written.reply());
        if (reply instanceof Replies.NotHeld) {
            throw new StoreException.LockNotHeld(kind, key);
        }
        if (reply instanceof Replies.OtherToken) {
            throw new StoreException.LockTokenMismatch(kind, key);
        }
        if (reply instanceof Replies.OtherOwner) {
            throw new StoreException.NotOwner(kind, key);
        }
        if (operation == OwnerOperation.EXTEND) {
            confirmed(written);
        }
        return (Replies.Owned) reply;
    }

    @Override
    public Optional<LockState> inspect(LockKind kind, String key, Instant now) {
        // Whether a lock is still held is decided with this replica's clock, as for the other lock calls.
        server.require();
        Response fields = guarded(Breaker.READS, () -> redis.execute("HMGET", keys.lock(kind, key), "fence", "exp"),
                true);
        return Replies.lockState(kind, key, fields, now);
    }

    // ---- round trips

    private Response script(Breaker breaker, RedisScripts.Script script, List<String> scriptKeys, List<String> args,
                            boolean retry) {
        return guarded(breaker, () -> RedisScripts.run(redis, script, scriptKeys, args), retry);
    }

    /**
     * A read script on the feed: a namespace without an epoch yet gets one from {@code init.lua} (the reads never
     * write), and the read runs again.
     */
    private Response read(RedisScripts.Script script, List<String> scriptKeys, List<String> args) {
        Response reply = namespaced(script(Breaker.READS, script, scriptKeys, args, true));
        if (Replies.noEpoch(reply)) {
            namespaced(script(Breaker.WRITES, RedisScripts.INIT, List.of(keys.meta),
                    List.of(Epochs.next(), RedisKeys.LAYOUT), true));
            reply = namespaced(script(Breaker.READS, script, scriptKeys, args, true));
        }
        return reply;
    }

    /**
     * A reply that found another key layout in the namespace is a 503: this replica must not write there. The scripts
     * see the layout as it is; the {@link ServerCheck} learns from them when it changed since its last probe.
     */
    private Response namespaced(Response reply) {
        Optional<String> found = Replies.otherLayout(reply);
        server.layoutSeen(found.orElse(RedisKeys.LAYOUT));
        if (found.isPresent() && found.get().equals(RedisKeys.PREVIOUS_LAYOUT) && migrate()) {
            throw new BackendUnavailableException("the namespace held key layout " + RedisKeys.PREVIOUS_LAYOUT
                    + " and has just been migrated to " + RedisKeys.LAYOUT + ": retry", null, Duration.ofSeconds(1));
        }
        if (found.isPresent()) {
            throw new BackendUnavailableException(ServerCheck.otherLayout(found.get()), null,
                    guard.retryAfter(Breaker.READS));
        }
        return reply;
    }

    /**
     * Brings a namespace of the previous layout to this one in place (the upgrade path, README): adds every stored
     * series' sort key to the order set, a page at a time, holding the namespace's migration key so that one replica
     * migrates at a time. True once the namespace holds this layout, by this replica's work or another's; false while
     * another replica (or another thread of this one) migrates, or when the index changed meanwhile (a replica of the
     * previous layout still writes there: the next call starts again).
     */
    private boolean migrate() {
        if (!migrating.compareAndSet(false, true)) {
            return false;
        }
        try {
            Replies.MigrateStep step = migrateStep("start", List.of());
            long series = 0;
            for (int offset = 0; step.status().equals("OK"); offset += PAGE) {
                step = migrateStep("list", List.of(Integer.toString(offset), Integer.toString(PAGE)));
                List<String> sortKeys = step.ids().stream().map(SeriesId::sortKey).toList();
                if (step.status().equals("OK") && !sortKeys.isEmpty()) {
                    step = migrateStep("add", sortKeys);
                    series += sortKeys.size();
                }
                if (sortKeys.size() < PAGE && step.status().equals("OK")) {
                    step = migrateStep("finish", List.of());
                    if (step.status().equals("OK")) {
                        LOG.infof("Migrated the namespace from key layout %s to %s (%d series)",
                                RedisKeys.PREVIOUS_LAYOUT, RedisKeys.LAYOUT, series);
                    }
                    break;
                }
            }
            boolean done = step.status().equals("OK") || step.status().equals("DONE");
            if (done) {
                server.layoutSeen(RedisKeys.LAYOUT);
            }
            return done;
        } finally {
            migrating.set(false);
        }
    }

    private Replies.MigrateStep migrateStep(String step, List<String> values) {
        List<String> args = new ArrayList<>(5 + values.size());
        args.addAll(List.of(RedisKeys.PREVIOUS_LAYOUT, RedisKeys.LAYOUT, step, migrationToken,
                Long.toString(MIGRATION_HOLD.toMillis())));
        args.addAll(values);
        return Replies.MigrateStep.decode(script(Breaker.WRITES, RedisScripts.MIGRATE, keys.migrate(), args, true));
    }

    /**
     * A write, then (with {@code store.redis.min-replicas-ack}) {@code WAIT} on the same connection, so that it
     * covers this write; the caller checks the count with {@link #confirmed} once it knows the write wrote (a refusal
     * is not waited for).
     */
    private Acknowledged acknowledged(Function<RedisDataSource, Response> write, boolean retryable) {
        if (minReplicasAck == 0) {
            return new Acknowledged(namespaced(guarded(Breaker.WRITES, () -> write.apply(redis), retryable)), 0);
        }
        Acknowledged outcome = guarded(Breaker.WRITES, () -> {
            Response[] reply = new Response[1];
            long[] confirmed = new long[1];
            redis.withConnection(connection -> {
                reply[0] = write.apply(connection);
                // A refusal (held, cap, another layout) wrote nothing: there is nothing to wait for.
                if (Replies.wrote(reply[0])) {
                    confirmed[0] = connection.execute("WAIT", Integer.toString(minReplicasAck),
                            minReplicasAckTimeout).toLong();
                }
            });
            return new Acknowledged(reply[0], confirmed[0]);
        }, retryable);
        namespaced(outcome.reply());
        return outcome;
    }

    /**
     * Too few replicas confirming a write within the timeout is a 503, and the client retries the write (a replay
     * changes nothing and waits again); Redis answered, so the circuit breaker does not count it.
     */
    private void confirmed(Acknowledged written) {
        if (written.confirmed() < minReplicasAck) {
            throw new BackendUnavailableException("only " + written.confirmed() + " of the " + minReplicasAck
                    + " Redis replicas that store.redis.min-replicas-ack asks for confirmed the write within "
                    + minReplicasAckTimeout + " ms; retry it (a replay changes nothing)", null,
                    guard.retryAfter(Breaker.WRITES));
        }
    }

    /** A write's reply and how many replicas confirmed it (0 without {@code store.redis.min-replicas-ack}). */
    private record Acknowledged(Response reply, long confirmed) {
    }

    /**
     * One round trip through the breaker of its kind (a write passes both), retried (see {@link RedisRetry}) when it is
     * safe to run twice. Client failures become {@link BackendUnavailableException}s (or bugs, see
     * {@link RedisFailures}), and so do the guard's own timeout and open circuits, each with the delay of the breaker
     * that refused as the time to retry after.
     */
    private <T> T guarded(Breaker breaker, Supplier<T> roundTrip, boolean retryable) {
        Duration retryAfter = guard.retryAfter(breaker);
        Supplier<T> attempt = () -> {
            try {
                return roundTrip.get();
            } catch (StoreException | BackendUnavailableException refusal) {
                throw refusal;
            } catch (RuntimeException failure) {
                RuntimeException translated = RedisFailures.translate(failure, retryAfter);
                if (!(translated instanceof WritesRefused)) {
                    lastFailure = RedisFailures.describe(failure);
                }
                if (breaker == Breaker.WRITES && translated instanceof BackendUnavailableException unavailable) {
                    // Per attempt: the breaker may open on a retry, and its refusal then tells this reason.
                    writeFailed(unavailable);
                }
                throw translated;
            }
        };
        Supplier<T> call = breaker == Breaker.WRITES ? () -> writeGuard.call(attempt) : () -> guard.call(attempt);
        T result;
        try {
            result = retryable ? retry.call(call) : call.get();
        } catch (StoreException refusal) {
            reached();
            if (breaker == Breaker.WRITES) {
                wrote();
            }
            throw refusal;
        } catch (WritesRefused refused) {
            reached();
            throw refused;
        } catch (BackendUnavailableException unavailable) {
            unreachable(lastFailure);
            throw unavailable;
        } catch (RedisWriteGuard.ReadsOpen open) {
            throw callsPaused(open);
        } catch (CircuitBreakerOpenException open) {
            if (breaker == Breaker.READS) {
                throw callsPaused(open);
            }
            WriteFailure last = writeFailure;
            throw new BackendUnavailableException("writes to Redis failed repeatedly and are paused (circuit open)"
                    + (last == null ? "" : "; the last failure: " + last.reason()), open, retryAfter);
        } catch (TimeoutException slow) {
            unreachable("no answer within the timeout");
            BackendUnavailableException unavailable = new BackendUnavailableException(
                    "the backend did not answer in time", slow, retryAfter);
            if (breaker == Breaker.WRITES) {
                writeFailed(unavailable);
            }
            throw unavailable;
        }
        reached();
        if (breaker == Breaker.WRITES) {
            wrote();
        }
        return result;
    }

    /** The reads breaker refused: Redis failed to serve at all. */
    private BackendUnavailableException callsPaused(RuntimeException open) {
        unreachable(lastFailure);
        return new BackendUnavailableException("the backend failed repeatedly; calls are paused (circuit open)", open,
                guard.retryAfter(Breaker.READS));
    }

    /** Why the last write failed, and when (monotonic). */
    private record WriteFailure(String reason, long atNanos) {
    }

    /**
     * Remembers why a write failed, for readiness and the writes breaker's refusals; Redis refusing writes is logged
     * once, when it starts, with its reason.
     */
    private void writeFailed(BackendUnavailableException failure) {
        writeFailure = new WriteFailure(failure.getMessage(), System.nanoTime());
        if (failure instanceof WritesRefused && writable.compareAndSet(true, false)) {
            LOG.warnf("%s: writes answer 503 until it accepts them again", failure.getMessage());
        }
    }

    private void wrote() {
        writeFailure = null;
        if (writable.compareAndSet(false, true)) {
            LOG.info("Redis accepts writes again");
        }
    }

    /** Logs the start of an outage once, with its reason; later failures of the same outage stay quiet. */
    private void unreachable(String reason) {
        if (reachable.compareAndSet(true, false)) {
            LOG.warnf("Redis is unreachable (%s): requests answer 503 and readiness is DOWN until it is back", reason);
        }
    }

    private void reached() {
        if (reachable.compareAndSet(false, true)) {
            LOG.info("Redis is reachable again");
        }
    }
}
