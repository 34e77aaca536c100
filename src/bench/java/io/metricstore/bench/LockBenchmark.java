package io.metricstore.bench;

import io.metricstore.store.model.LockGrant;
import io.metricstore.store.model.LockKind;
import java.time.Duration;
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
 * A backfill job's lock round: acquire the job lock, then release it ({@code POST} and {@code DELETE
 * /locks/job/{key}} without HTTP). One key and one token: after the release the next acquire finds the lock free,
 * and each acquire takes the next fence. The store holds no series: lock operations do not touch them.
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class LockBenchmark {

    private static final String KEY = "bench-job";
    private static final String TOKEN = "bench-worker";
    private static final Duration TTL = Duration.ofSeconds(30);

    @Param({"memory", "redis"})
    String backend;

    private StoreFixture fixture;

    @Setup(Level.Trial)
    public void open() throws Exception {
        fixture = StoreFixture.open(backend, 0);
    }

    @Benchmark
    public LockGrant acquireRelease() {
        LockGrant grant = fixture.store.acquire(LockKind.JOB, KEY, TTL, TOKEN, "anonymous");
        fixture.store.release(LockKind.JOB, KEY, TOKEN, "anonymous");
        return grant;
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        fixture.close();
    }
}
