package io.metricstore.store.redis;

import io.metricstore.store.RetentionContract;
import io.metricstore.store.StoreBackend;
import io.metricstore.store.StoreConfig;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.UUID;

/**
 * The retention contract (retention, expiry and the GC of series and tombstones), against a real Redis server. Every
 * store gets a namespace of its own, so tests never share state.
 */
@QuarkusTest
@TestProfile(RedisProfile.class)
class RedisRetentionContractTest extends RetentionContract {

    @Inject
    RedisDataSource redis;

    @Inject
    RedisGuard guard;

    @Override
    protected String[] backendConfig() {
        return new String[] {"store.namespace", "contract-" + UUID.randomUUID()};
    }

    @Override
    protected StoreBackend newBackend(StoreConfig config) {
        return new RedisBackend(redis, config, guard);
    }
}
