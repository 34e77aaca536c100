package io.metricstore.store.redis;

import io.metricstore.store.BackendUnavailableException;
import io.metricstore.store.CircuitState;
import io.metricstore.store.ForBackend;
import io.metricstore.store.StoreBackend;
import io.metricstore.store.StoreConfig;
import io.metricstore.store.StoreException;
import io.metricstore.store.model.Cursor;
import io.metricstore.store.model.Delta;
import io.metricstore.store.model.Epochs;
import io.metricstore.store.model.Family;
import io.metricstore.store.model.Fences;
import io.metricstore.store.model.GcReport;
import io.metricstore.store.model.LockGrant;
import io.metricstore.store.model.LockKind;
import io.metricstore.store.model.LockState;
import io.metricstore.store.model.MetricPoint;
import io.metricstore.store.model.Precedence;
import io.metricstore.store.model.SampleValue;
import io.metricstore.store.model.Series;
import io.metricstore.store.model.SeriesId;
import io.metricstore.store.model.Snapshot;
import io.metricstore.store.model.WriteResult;
import io.metricstore.store.model.WriteSource;
import io.metricstore.store.redis.RedisScripts.OwnerOperation;
import io.metricstore.store.redis.RedisScripts.PageMode;
import io.quarkus.arc.ActiveResult;
import io.quarkus.arc.InjectableInstance;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.mutiny.redis.client.Response;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;
import org.jboss.logging.Logger;

/**
 * The shared backend: state in Redis, so any number of replicas see the same series, feed and locks. The layout of
 * the keys is in {@link RedisKeys}; each script's reply is decoded in {@link Replies}.
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
@ForBackend(StoreConfig.Backend.redis)
public class RedisBackend implements StoreBackend {

    private static final Logger LOG = Logger.getLogger(RedisBackend.class);

    static final int CHUNK = 1000;
    static final int PAGE = 1000;

    private final RedisDataSource redis;
    private final RedisGuard guard;
    private final long retentionMillis;
    private final long tombstoneRetentionMillis;
    private final int maxSeries;
    private final RedisKeys keys;
    /** Whether the last round trip reached Redis: the outage and the recovery are each logged once. */
    private final AtomicBoolean reachable = new AtomicBoolean(true);
    /** Why the last attempt failed to reach Redis (attempts are retried, so the caller may only see the breaker). */
    private volatile String lastFailure = "no answer";

    /**
     * The bean constructor. The data source comes through {@link InjectableInstance}: with the memory backend and no
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
            throw new ConfigurationException("store.backend=redis needs a Redis: set quarkus.redis.hosts (for example "
                    + "redis://localhost:6379). In dev mode, Dev Services start one only where a container runtime "
                    + "(Docker or Podman) works.");
        }
        return redis.get();
    }

    public RedisBackend(RedisDataSource redis, StoreConfig config, RedisGuard guard) {
        this.redis = redis;
        this.guard = guard;
        this.retentionMillis = config.retention().toMillis();
        this.tombstoneRetentionMillis = config.changes().tombstoneRetention().toMillis();
        this.maxSeries = config.maxSeries();
        this.keys = new RedisKeys(config.namespace());
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
        Cursor cursor = null;
        for (int from = 0; from < points.size(); from += CHUNK) {
            int to = Math.min(points.size(), from + CHUNK);
            boolean first = from == 0;
            List<String> scriptKeys = new ArrayList<>(5 + to - from);
            scriptKeys.addAll(keys.upsert());
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
                scriptKeys.add(keys.series(ids.get(i)));
                args.add(ids.get(i));
                args.add(SampleValue.text(point.value()));
                args.add(Long.toString(updatedAt));
                args.add(Long.toString(Precedence.rank(point, source)));
                args.add(Long.toString(updatedAt + retentionMillis));
            }
            Replies.Upsert reply = Replies.Upsert.decode(script(RedisScripts.UPSERT, scriptKeys, args, true));
            if (reply instanceof Replies.Capped capped) {
                throw new StoreException.SeriesLimitExceeded(capped.live(), capped.created(), maxSeries);
            }
            Replies.Upserted chunk = (Replies.Upserted) reply;
            applied += chunk.applied();
            unchanged += chunk.unchanged();
            stale += chunk.stale();
            cursor = chunk.cursor();
        }
        return new WriteResult(applied, unchanged, stale, cursor);
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
        script(RedisScripts.DESCRIBE, keys.familyKeys(), args, true);
    }

    @Override
    public List<Family> families(Instant now) {
        List<Family> families = Replies.families(script(RedisScripts.FAMILIES, keys.familyKeys(),
                List.of(Long.toString(now.toEpochMilli())), true));
        families.sort(Comparator.comparing(Family::name));
        return families;
    }

    @Override
    public Snapshot snapshot(Optional<String> name, Instant now) {
        String filter = name.orElse("");
        // A snapshot whose pages straddle a loss of Redis' data would mix two states: start over in the new one.
        for (int attempt = 0; ; attempt++) {
            if (!(page("", 0, PAGE, PageMode.SNAPSHOT, now, filter) instanceof Replies.FeedPage first)) {
                throw new IllegalStateException("the first snapshot page cannot expire");
            }
            Map<String, Series> live = new HashMap<>();
            first.events().forEach(change -> live.put(change.id(), change.series()));
            Replies.Page page = first;
            while (page instanceof Replies.FeedPage previous && previous.more()) {
                page = page(first.current().epoch(), previous.lastScanned(), PAGE, PageMode.SNAPSHOT, now, filter);
                if (page instanceof Replies.FeedPage next) {
                    next.events().forEach(change -> live.put(change.id(), change.series()));
                }
            }
            if (page instanceof Replies.FeedPage) {
                return new Snapshot(first.current(), SeriesId.sorted(live.values()));
            }
            if (attempt == 2) {
                throw new BackendUnavailableException("Redis lost its data three times during one snapshot", null,
                        guard.retryAfter());
            }
        }
    }

    @Override
    public Cursor cursor() {
        return Replies.cursor(script(RedisScripts.CURSOR, keys.cursor(), List.of(Epochs.next()), true));
    }

    @Override
    public Delta changes(Cursor since, int limit, Instant now) {
        Replies.Page reply = page(since.epoch(), since.sequence(), limit, PageMode.DELTA, now, "");
        if (reply instanceof Replies.Expired expired) {
            throw new StoreException.CursorExpired(expired.reason());
        }
        Replies.FeedPage page = (Replies.FeedPage) reply;
        Cursor next = page.more() ? new Cursor(page.current().epoch(), page.lastScanned()) : page.current();
        return new Delta(next, page.events(), page.more());
    }

    private Replies.Page page(String expectedEpoch, long after, int limit, PageMode mode, Instant now, String name) {
        return Replies.Page.decode(script(RedisScripts.PAGE, keys.page(), List.of(Epochs.next(), expectedEpoch,
                Long.toString(after), Integer.toString(limit), keys.seriesPrefix(), mode.arg,
                Long.toString(now.toEpochMilli()), Long.toString(retentionMillis), name), true));
    }

    @Override
    public GcReport gc(Instant now) {
        int series = 0;
        int locks = 0;
        int tombstones = 0;
        List<String> args = List.of(Epochs.next(), Long.toString(now.toEpochMilli()),
                Long.toString(now.toEpochMilli() - tombstoneRetentionMillis), Integer.toString(PAGE), keys.prefix());
        Replies.GcStep step;
        do {
            step = Replies.GcStep.decode(script(RedisScripts.GC, keys.gc(), args, true));
            series += step.series();
            locks += step.locks();
            tombstones += step.tombstones();
        } while (step.full(PAGE));
        return new GcReport(series, locks, tombstones);
    }

    @Override
    public long liveSeries(Instant now) {
        return guarded(() -> redis.execute("ZCOUNT", keys.index, "(" + now.toEpochMilli(), "+inf").toLong(), true);
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
    public Optional<CircuitState> circuit() {
        return Optional.of(guard.circuit());
    }

    // ---- locks

    @Override
    public LockGrant acquire(LockKind kind, String key, String token, Duration ttl, Instant now) {
        long expiry = now.toEpochMilli() + ttl.toMillis();
        Replies.Acquire reply = Replies.Acquire.decode(script(RedisScripts.ACQUIRE, keys.acquire(kind, key),
                List.of(token, Long.toString(now.toEpochMilli()), Long.toString(expiry),
                        RedisKeys.lockMember(kind, key), Long.toString(Fences.floor(now.toEpochMilli()))), true));
        if (reply instanceof Replies.Held held) {
            throw new StoreException.LockHeld(kind, key, held.expiresAt());
        }
        return new LockGrant(kind, key, token, ((Replies.Acquired) reply).fence(), Instant.ofEpochMilli(expiry));
    }

    @Override
    public LockGrant extend(LockKind kind, String key, String token, Duration ttl, Instant now) {
        long expiry = now.toEpochMilli() + ttl.toMillis();
        Replies.Owned owned = ownerCall(kind, key, token, now, expiry, OwnerOperation.EXTEND, true);
        return new LockGrant(kind, key, token, owned.fence(), Instant.ofEpochMilli(expiry));
    }

    @Override
    public void release(LockKind kind, String key, String token, Instant now) {
        // Not retried: a release whose reply was lost would be repeated as "not held".
        ownerCall(kind, key, token, now, now.toEpochMilli(), OwnerOperation.RELEASE, false);
    }

    private Replies.Owned ownerCall(LockKind kind, String key, String token, Instant now, long expiry,
                                    OwnerOperation operation, boolean retry) {
        Replies.OwnerCall reply = Replies.OwnerCall.decode(script(RedisScripts.EXTEND, keys.extend(kind, key),
                List.of(token, Long.toString(now.toEpochMilli()), Long.toString(expiry),
                        RedisKeys.lockMember(kind, key), operation.arg), retry));
        if (reply instanceof Replies.NotHeld) {
            throw new StoreException.LockNotHeld(kind, key);
        }
        if (reply instanceof Replies.OtherToken) {
            throw new StoreException.LockTokenMismatch(kind, key);
        }
        return (Replies.Owned) reply;
    }

    @Override
    public Optional<LockState> inspect(LockKind kind, String key, Instant now) {
        Response fields = guarded(() -> redis.execute("HMGET", keys.lock(kind, key), "fence", "exp"), true);
        return Replies.lockState(kind, key, fields, now);
    }

    // ---- round trips

    private Response script(RedisScripts.Script script, List<String> scriptKeys, List<String> args, boolean retry) {
        return guarded(() -> RedisScripts.run(redis, script, scriptKeys, args), retry);
    }

    /**
     * One round trip through the guard. Client failures become {@link BackendUnavailableException}s (or bugs, see
     * {@link RedisFailures}), and so do the guard's own timeout and open circuit, each with the breaker's delay as
     * the time to retry after.
     */
    private <T> T guarded(Supplier<T> roundTrip, boolean retry) {
        T result;
        try {
            result = guard.call(() -> {
                try {
                    return roundTrip.get();
                } catch (StoreException refusal) {
                    throw refusal;
                } catch (RuntimeException failure) {
                    RuntimeException translated = RedisFailures.translate(failure, guard.retryAfter());
                    lastFailure = RedisFailures.describe(failure);
                    if (!retry && translated instanceof BackendUnavailableException unavailable) {
                        throw new BackendUnavailableException.NotRetryable(unavailable);
                    }
                    throw translated;
                }
            });
        } catch (StoreException refusal) {
            reached();
            throw refusal;
        } catch (BackendUnavailableException unavailable) {
            unreachable(lastFailure);
            throw unavailable;
        } catch (CircuitBreakerOpenException open) {
            unreachable(lastFailure);
            throw new BackendUnavailableException("the backend failed repeatedly; calls are paused (circuit open)",
                    open, guard.retryAfter());
        } catch (TimeoutException slow) {
            unreachable("no answer within the timeout");
            throw new BackendUnavailableException("the backend did not answer in time", slow, guard.retryAfter());
        }
        reached();
        return result;
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
