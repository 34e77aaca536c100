package io.metricstore.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.metricstore.store.memory.MemoryBackend;
import io.metricstore.store.model.Cursor;
import io.metricstore.store.model.Delta;
import io.metricstore.store.model.FieldError;
import io.metricstore.store.model.RuntimeRole;
import io.metricstore.store.model.SampleValue;
import io.metricstore.store.model.Series;
import io.metricstore.store.model.WriteResult;
import io.metricstore.store.model.WriteSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A {@link MetricStore} built as the service builds it, over one empty backend, with the base configuration of the
 * tests and a {@link MutableClock} they move by hand; and the helpers that write and read it through the store's one
 * entry point. The backend contracts ({@link BackendContract}) make one per test over the backend under test; the
 * backend-independent tests use {@link #memory}.
 */
public final class TestStore {

    /** The wall clock's time at start, so that a backend's own expiry (Redis TTLs) agrees with the test's clock. */
    public static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    /** Small limits, so that tests reach them. */
    static final String[] BASE_CONFIG = {
        "store.retention", "1h",
        "store.max-series", "100",
        "store.max-batch", "50",
        // Wider than the default 10 s: retention tests write a scrape up to a minute ahead to outlive its neighbours.
        "store.max-clock-skew", "5m",
        "store.changes.tombstone-retention", "10m",
        "store.locks.max-ttl", "1h",
        "store.limits.max-labels", "4",
        "store.limits.max-name-length", "40",
        "store.limits.max-label-name-length", "20",
        "store.limits.max-label-value-length", "30",
    };

    public final StoreConfig config;
    public final MutableClock clock;
    public final StoreBackend backend;
    public final MetricStore store;

    /** A store over {@code newBackend}, configured by the base configuration plus {@code properties}. */
    public TestStore(Function<StoreConfig, StoreBackend> newBackend, String... properties) {
        this(T0, newBackend, properties);
    }

    /** The same, with the clock starting at {@code start}. */
    public TestStore(Instant start, Function<StoreConfig, StoreBackend> newBackend, String... properties) {
        List<String> all = new ArrayList<>(List.of(BASE_CONFIG));
        all.addAll(List.of(properties));
        config = TestConfigs.config(all.toArray(String[]::new));
        clock = new MutableClock(start);
        backend = newBackend.apply(config);
        store = new MetricStore(backend, config, clock, new StoreMetrics(new SimpleMeterRegistry(), backend, clock));
    }

    /** A store over an empty {@link MemoryBackend}, for the rules that do not depend on the backend. */
    public static TestStore memory(String... overrides) {
        return new TestStore(MemoryBackend::new, overrides);
    }

    // ---- points as a client sends them

    /** A value as a client sends it: finite values as JSON numbers, the others as their strings. */
    public static RawPoint.RawValue number(double value) {
        return new RawPoint.RawValue(SampleValue.text(value), !Double.isFinite(value));
    }

    public static RawPoint.RawValue string(String value) {
        return new RawPoint.RawValue(value, true);
    }

    public static RawPoint point(String name, Map<String, String> labels, double value, Instant at) {
        return new RawPoint(name, labels, number(value), at == null ? null : at.toString());
    }

    public static RawPoint point(String name, double value) {
        return point(name, Map.of(), value, null);
    }

    public static RawPoint point(String name, double value, Instant at) {
        return point(name, Map.of(), value, at);
    }

    /** The field errors of the validation refusal {@code call} must end in. */
    public static List<FieldError> validationErrors(Runnable call) {
        try {
            call.run();
        } catch (StoreException.Validation invalid) {
            return invalid.errors();
        }
        throw new AssertionError("expected a validation refusal");
    }

    // ---- writing and reading through the store

    /** Writes {@code points}, without family descriptions, as {@code role} sending {@code source}. */
    public WriteResult write(RuntimeRole role, WriteSource source, RawPoint... points) {
        return store.write(new WriteBatch(role, source, List.of(points)));
    }

    /** Writes {@code points} as the leader's scrape results. */
    public WriteResult scrape(RawPoint... points) {
        return write(RuntimeRole.LEADER, WriteSource.LEADER_SCRAPE, points);
    }

    /** Writes {@code points} as a follower's backfill. */
    public WriteResult backfill(RawPoint... points) {
        return write(RuntimeRole.FOLLOWER, WriteSource.WORKER_BACKFILL, points);
    }

    /** The live series of a full snapshot, by id. */
    public Map<String, Series> live() {
        Map<String, Series> byId = new HashMap<>();
        store.snapshot(Optional.empty()).series().forEach(s -> byId.put(s.id(), s));
        return byId;
    }

    public double valueOf(String id) {
        Series series = live().get(id);
        assertThat(series).as("series %s", id).isNotNull();
        return series.point().value();
    }

    /** The delta after {@code cursor}, one page of the default size. */
    public Delta changesSince(Cursor cursor) {
        return store.changes(cursor, MetricStore.DEFAULT_CHANGES_LIMIT);
    }
}
