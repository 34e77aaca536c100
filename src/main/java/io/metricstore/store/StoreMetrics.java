package io.metricstore.store;

import io.metricstore.store.model.GcReport;
import io.metricstore.store.model.LockKind;
import io.metricstore.store.model.Precedence;
import io.metricstore.store.model.WriteResult;
import io.metricstore.store.model.WriteSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The store's own telemetry ({@code store_*} at {@code /q/metrics}). Every tag has a small fixed set of values:
 * sources, outcomes, lock kinds, operation names; never a metric name or a lock key. Lease names are the one
 * exception, bounded: the first {@value #TRACKED_LEASES} names this replica sees get a counter and a gauge, later ones
 * none.
 */
public final class StoreMetrics {

    /** The most lease names that get meters of their own on one replica. */
    static final int TRACKED_LEASES = 100;

    private final MeterRegistry registry;
    private final String backend;
    private final Map<WriteSource, Map<Precedence.Outcome, Counter>> points = new EnumMap<>(WriteSource.class);
    private final Map<WriteSource, Counter> rejected = new EnumMap<>(WriteSource.class);
    private final Counter gcRuns;
    private final Counter gcSeries;
    private final Counter gcLocks;
    private final Counter gcTombstones;
    private final Map<String, Counter> lockAcquires = new ConcurrentHashMap<>();
    private final Map<String, Timer> latency = new ConcurrentHashMap<>();
    private final Map<String, Counter> errors = new ConcurrentHashMap<>();
    private final Map<String, Counter> fencedRefusals = new ConcurrentHashMap<>();
    private final Map<String, TrackedLease> leases = new ConcurrentHashMap<>();
    private final AtomicInteger trackedLeases = new AtomicInteger();

    public StoreMetrics(MeterRegistry registry, StoreBackend backend, Clock clock) {
        this.registry = registry;
        this.backend = backend.name();
        for (WriteSource source : WriteSource.values()) {
            Map<Precedence.Outcome, Counter> byOutcome = new EnumMap<>(Precedence.Outcome.class);
            for (Precedence.Outcome outcome : Precedence.Outcome.values()) {
                byOutcome.put(outcome, pointsCounter(source, outcome.wire()));
            }
            points.put(source, byOutcome);
            rejected.put(source, pointsCounter(source, "rejected"));
        }
        Gauge.builder("store_series_live", backend, b -> liveSeries(b, clock))
                .description("Live series: stored and not expired")
                .tag("backend", this.backend)
                .register(registry);
        for (Breaker breaker : backend.circuits().keySet()) {
            Gauge.builder("store_circuit_state", backend,
                            b -> b.circuits().getOrDefault(breaker, CircuitState.OPEN).gauge())
                    .description("State of the backend's circuit breakers: 0 closed, 1 half-open, 2 open")
                    .tags("backend", this.backend, "breaker", breaker.wire())
                    .strongReference(true)
                    .register(registry);
        }
        gcRuns = Counter.builder("store_gc_runs_total").description("GC runs").register(registry);
        gcSeries = gcRemoved("series");
        gcLocks = gcRemoved("locks");
        gcTombstones = gcRemoved("tombstones");
    }

    /** A scrape of the telemetry must not fail because the backend is down: the gauge shows NaN then. */
    private static double liveSeries(StoreBackend backend, Clock clock) {
        try {
            return backend.liveSeries(clock.instant());
        } catch (RuntimeException unavailable) {
            return Double.NaN;
        }
    }

    private Counter pointsCounter(WriteSource source, String outcome) {
        return Counter.builder("store_points_written_total")
                .description("Points received, by source and outcome")
                .tags("source", source.wire(), "outcome", outcome)
                .register(registry);
    }

    private Counter gcRemoved(String what) {
        return Counter.builder("store_gc_removed_total")
                .description("Entries removed by the GC")
                .tag("what", what)
                .register(registry);
    }

    void written(WriteSource source, WriteResult result) {
        Map<Precedence.Outcome, Counter> byOutcome = points.get(source);
        byOutcome.get(Precedence.Outcome.APPLIED).increment(result.applied());
        byOutcome.get(Precedence.Outcome.UNCHANGED).increment(result.unchanged());
        byOutcome.get(Precedence.Outcome.STALE).increment(result.stale());
    }

    void rejected(WriteSource source, int count) {
        rejected.get(source).increment(count);
    }

    void lockAcquire(LockKind kind, String outcome) {
        lockAcquires.computeIfAbsent(kind.wire() + '/' + outcome, k -> Counter.builder("store_lock_acquires_total")
                .description("Lock acquire attempts, by kind and outcome")
                .tags("kind", kind.wire(), "outcome", outcome)
                .register(registry)).increment();
    }

    /** A batch refused because of its lease or lock: {@code not-leader}, {@code lock-lost}, {@code lease-required}. */
    void fencedRefusal(String reason) {
        fencedRefusals.computeIfAbsent(reason, r -> Counter.builder("store_fenced_refusals_total")
                .description("Batches refused because their lease or lock was not held (or a required lease missing)")
                .tag("reason", r)
                .register(registry)).increment();
    }

    /**
     * The fence a lease has as this replica last saw it (a campaign it answered, an observation): a new fence is a
     * change of holder.
     */
    void leaseHeld(String name, long fence) {
        TrackedLease lease = leases.get(name);
        if (lease == null) {
            if (trackedLeases.get() >= TRACKED_LEASES) {
                return;
            }
            // Counted inside the atomic computeIfAbsent: racing campaigns on new names never pass the bound together.
            lease = leases.computeIfAbsent(name,
                    tracked -> trackedLeases.incrementAndGet() <= TRACKED_LEASES ? new TrackedLease(tracked) : null);
            if (lease == null) {
                return;
            }
        }
        if (lease.fence.getAndSet(fence) != fence) {
            lease.changes.increment();
        }
    }

    /** The meters of one lease name. */
    private final class TrackedLease {
        final AtomicLong fence = new AtomicLong();
        final Counter changes;

        TrackedLease(String name) {
            changes = Counter.builder("store_lease_changes_total")
                    .description("Changes of a lease's holder (a new fence) seen by this replica")
                    .tag("name", name)
                    .register(registry);
            Gauge.builder("store_lease_fence", fence, AtomicLong::get)
                    .description("The fence of a lease's holder as this replica last saw it")
                    .tag("name", name)
                    .register(registry);
        }
    }

    void gc(GcReport report) {
        gcRuns.increment();
        gcSeries.increment(report.expiredSeries());
        gcLocks.increment(report.expiredLocks());
        gcTombstones.increment(report.trimmedTombstones());
    }

    /** Times one backend call; failures other than refusals count as backend errors. */
    <T> T timed(String operation, Supplier<T> call) {
        Timer.Sample sample = Timer.start(registry);
        try {
            return call.get();
        } catch (StoreException refusal) {
            throw refusal;
        } catch (RuntimeException failure) {
            errors.computeIfAbsent(operation, op -> Counter.builder("store_backend_errors_total")
                    .description("Backend calls that failed, by operation")
                    .tags("backend", backend, "operation", op)
                    .register(registry)).increment();
            throw failure;
        } finally {
            sample.stop(latency.computeIfAbsent(operation, op -> Timer.builder("store_backend_latency")
                    .description("Latency of backend calls, by operation")
                    .tags("backend", backend, "operation", op)
                    .register(registry)));
        }
    }
}
