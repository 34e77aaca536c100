package io.metricstore.bench;

import io.metricstore.store.RawPoint;
import io.metricstore.store.model.WriteResult;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code POST /points} without HTTP and JSON: one batch of {@value #BATCH} points through {@link
 * io.metricstore.store.MetricStore#write} (parsing, validation, write guard, precedence, backend, telemetry) into a
 * store already holding {@code series} series. Every batch updates existing series with a fresh updatedAt and a new
 * value, so every point is applied; successive batches walk through all the series. The score is points per second.
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class BatchUpsertBenchmark {

    static final int BATCH = 1000;

    @Param({"memory", "redis"})
    String backend;

    @Param({"10000", "100000"})
    int series;

    private StoreFixture fixture;
    private int next;
    private List<RawPoint> batch;

    @Setup(Level.Trial)
    public void open() throws Exception {
        fixture = StoreFixture.open(backend, series);
    }

    /** Builds the batch outside the measurement: it stands in for the JSON decoding that is not measured. */
    @Setup(Level.Invocation)
    public void nextBatch() {
        batch = fixture.points(next, BATCH);
        next = (next + BATCH) % series;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public WriteResult upsert() {
        return fixture.write(batch);
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        fixture.close();
    }
}
