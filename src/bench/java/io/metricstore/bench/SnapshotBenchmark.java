package io.metricstore.bench;

import io.metricstore.store.model.Snapshot;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code GET /snapshot} without HTTP and JSON: every live series of a store holding {@value #SERIES}, in snapshot
 * order, with its cursor. What a follower or a new client pays once before it follows the delta feed.
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class SnapshotBenchmark {

    static final int SERIES = 100_000;

    @Param({"memory", "redis"})
    String backend;

    private StoreFixture fixture;

    @Setup(Level.Trial)
    public void open() throws Exception {
        fixture = StoreFixture.open(backend, SERIES);
    }

    @Benchmark
    public Snapshot snapshot() {
        Snapshot snapshot = fixture.store.snapshot(Optional.empty());
        if (snapshot.series().size() != SERIES) {
            throw new IllegalStateException("snapshot of " + snapshot.series().size() + " series, not " + SERIES);
        }
        return snapshot;
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        fixture.close();
    }
}
