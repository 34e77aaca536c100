package io.metricstore.bench;

import io.metricstore.store.MetricStore;
import io.metricstore.store.model.Cursor;
import io.metricstore.store.model.Delta;
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
 * {@code GET /changes?since=} without HTTP and JSON, the steady state of a follower: {@value #CHANGES} series of
 * {@value #SERIES} changed since its cursor. Only the read is measured: taking the cursor and writing the changes
 * happen in a per-invocation setup, outside the timing (JMH's Level.Invocation; each read takes microseconds or
 * more, well above the cost of its timestamps).
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DeltaBenchmark {

    static final int SERIES = 100_000;
    static final int CHANGES = 10;

    @Param({"memory", "redis"})
    String backend;

    private StoreFixture fixture;
    private int next;
    private Cursor since;

    @Setup(Level.Trial)
    public void open() throws Exception {
        fixture = StoreFixture.open(backend, SERIES);
    }

    /** The cursor, then {@value #CHANGES} changes; successive invocations walk through all the series. */
    @Setup(Level.Invocation)
    public void change() {
        since = fixture.store.cursor();
        fixture.write(fixture.points(next, CHANGES));
        next = (next + CHANGES) % SERIES;
    }

    @Benchmark
    public Delta changes() {
        Delta delta = fixture.store.changes(since, MetricStore.DEFAULT_CHANGES_LIMIT);
        if (delta.events().size() != CHANGES || delta.more()) {
            throw new IllegalStateException("expected " + CHANGES + " changes, got " + delta.events().size());
        }
        return delta;
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        fixture.close();
    }
}
