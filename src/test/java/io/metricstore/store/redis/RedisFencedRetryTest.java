package io.metricstore.store.redis;

import static io.metricstore.store.TestStore.point;
import static io.metricstore.store.model.RuntimeRole.LEADER;
import static io.metricstore.store.model.WriteSource.LEADER_SCRAPE;
import static org.assertj.core.api.Assertions.assertThat;

import io.metricstore.store.BackendContract;
import io.metricstore.store.BackendUnavailableException;
import io.metricstore.store.MetricStore;
import io.metricstore.store.StoreBackend;
import io.metricstore.store.StoreConfig;
import io.metricstore.store.StoreException;
import io.metricstore.store.WriteBatch;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A fenced batch whose first attempt Redis answered too late (it was busy) is retried with the same arguments. The
 * first attempt may still have run, while the token held the lease; if the lease changed hands before the retry ran,
 * the retry is refused. "Nothing was written" (409) would then be false: the answer is a 503 that says the outcome is
 * unknown, never a 409 for a batch that is live.
 */
@QuarkusTest
@TestProfile(RedisFencedRetryTest.ShortTimeout.class)
class RedisFencedRetryTest extends BackendContract {

    /** Redis with a 400 ms guard timeout, so that a Redis busy for 1.5 s times the first attempts out. */
    public static class ShortTimeout extends RedisProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("io.metricstore.store.redis.RedisGuard/call/Timeout/value", "400",
                    "io.metricstore.store.redis.RedisGuard/call/CircuitBreaker/requestVolumeThreshold", "40",
                    "io.metricstore.store.redis.RedisWriteGuard/call/CircuitBreaker/requestVolumeThreshold", "40");
        }
    }

    /** Keeps Redis busy for ARGV[1] ms, as a slow command or a fork would. */
    private static final String BUSY = "local t = redis.call('TIME') local s = t[1] * 1000000 + t[2] "
            + "while true do local n = redis.call('TIME') if n[1] * 1000000 + n[2] - s > tonumber(ARGV[1]) * 1000 "
            + "then break end end return 1";

    @Inject
    RedisContractBackends redis;

    @Inject
    RedisDataSource data;

    @Override
    protected String[] backendConfig() {
        return redis.freshNamespace();
    }

    @Override
    protected StoreBackend newBackend(StoreConfig config) {
        return redis.backend(config);
    }

    @Test
    void aRetriedFencedBatchIsNeverRefusedAsUnwrittenWhenItsFirstAttemptWroteIt() throws Exception {
        int outcomesUnknown = 0;
        for (int round = 0; round < 3; round++) {
            String series = "retried_" + round;
            RuntimeException outcome = round("leader-" + round, series);
            if (outcome instanceof StoreException.NotLeader) {
                assertThat(live()).as("a batch refused with not-leader wrote nothing").doesNotContainKey(series);
            } else if (outcome instanceof BackendUnavailableException unknown) {
                assertThat(unknown.getMessage()).contains("may have written the batch");
                outcomesUnknown++;
            }
        }
        assertThat(outcomesUnknown).as("rounds in which the leader's first attempt timed out and its retry was refused")
                .isPositive();
    }

    /**
     * Redis is busy; meanwhile the leader writes under its lease (the attempt waits in Redis' queue and times out),
     * the lease runs out by the clock and a successor campaigns (queued after the first attempt, before the retry).
     */
    private RuntimeException round(String lease, String series) throws Exception {
        store.campaign(lease, Duration.ofSeconds(2), "a", "pod-a", MetricStore.ANONYMOUS);
        for (int i = 0; i < 10; i++) {
            write(lease, "warm_" + i);
        }
        CompletableFuture<Object> busy = CompletableFuture.supplyAsync(() -> data.execute("EVAL", BUSY, "0", "1500"));
        Thread.sleep(200);
        CompletableFuture<RuntimeException> leader = CompletableFuture.supplyAsync(() -> {
            try {
                write(lease, series);
                return null;
            } catch (RuntimeException refused) {
                return refused;
            }
        });
        Thread.sleep(150);
        clock.advance(Duration.ofSeconds(3));
        CompletableFuture<Void> successor = CompletableFuture.runAsync(() -> {
            try {
                store.campaign(lease, Duration.ofSeconds(15), "b", "pod-b", MetricStore.ANONYMOUS);
            } catch (BackendUnavailableException timedOut) {
                // Queued behind the busy script as well: it ran in Redis all the same.
            }
        });
        busy.get(10, TimeUnit.SECONDS);
        RuntimeException outcome = leader.get(10, TimeUnit.SECONDS);
        successor.get(10, TimeUnit.SECONDS);
        return outcome;
    }

    private void write(String lease, String series) {
        store.write(new WriteBatch(LEADER, LEADER_SCRAPE, List.of(point(series, 1)), Map.of(),
                new WriteBatch.Lease(lease, "a"), null));
    }
}
