package io.metricstore.store.redis;

import io.metricstore.store.FeedContract;
import io.metricstore.store.StoreBackend;
import io.metricstore.store.StoreConfig;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;

/** The feed contract (the snapshot and the change feed), against a real Redis server, a namespace per store. */
@QuarkusTest
@TestProfile(RedisProfile.class)
class RedisFeedContractTest extends FeedContract {

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
