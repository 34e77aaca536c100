package io.metricstore.store.redis;

import static io.metricstore.store.TestStore.point;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.metricstore.store.RawFamily;
import io.metricstore.store.StoreBackend;
import io.metricstore.store.StoreConfig;
import io.metricstore.store.StoreException;
import io.metricstore.store.TestStore;
import io.metricstore.store.WriteBatch;
import io.metricstore.store.WriteContract;
import io.metricstore.store.model.Family;
import io.metricstore.store.model.RuntimeRole;
import io.metricstore.store.model.WriteSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The write contract (precedence, the series cap, families, empty batches and concurrent writers), against a real Redis
 * server. Every store gets a namespace of its own, so tests never share state.
 */
@QuarkusTest
@TestProfile(RedisProfile.class)
class RedisWriteContractTest extends WriteContract {

    @Inject
    RedisContractBackends redis;

    @Override
    protected String[] backendConfig() {
        return redis.freshNamespace();
    }

    @Override
    protected StoreBackend newBackend(StoreConfig config) {
        return redis.backend(config);
    }

    /**
     * A cap lowered below the live count (a replica restarted with a smaller {@code store.max-series} on the same
     * namespace) refuses new series only: updates and family descriptions still apply.
     */
    @Test
    void aCapLoweredBelowTheLiveCountRefusesOnlyNewSeries() {
        scrape(point("a", 1), point("b", 1), point("c", 1));
        TestStore lowered = new TestStore(t0, redis::backend, "store.namespace", config.namespace(),
                "store.max-series", "2", "store.max-replica-skew", "3650d");
        assertThat(lowered.scrape(point("a", 2, t0.plusMillis(1))).applied()).isEqualTo(1);
        assertThat(lowered.store.write(new WriteBatch(RuntimeRole.LEADER, WriteSource.LEADER_SCRAPE, List.of(),
                Map.of("a", new RawFamily("gauge", "A")))).applied()).isZero();
        assertThat(lowered.store.families()).extracting(Family::name).containsExactly("a");
        assertThatThrownBy(() -> lowered.scrape(point("d", 1))).isInstanceOf(StoreException.SeriesLimitExceeded.class);
    }
}
