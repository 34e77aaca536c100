package io.metricstore.store.redis;

import io.metricstore.store.FencedWriteContract;
import io.metricstore.store.StoreBackend;
import io.metricstore.store.StoreConfig;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;

/**
 * The fenced-write contract (the lease or lock checked in the write script), against a real Redis server. Every
 * store gets a namespace of its own, so tests never share state.
 */
@QuarkusTest
@TestProfile(RedisProfile.class)
class RedisFencedWriteContractTest extends FencedWriteContract {

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
}
