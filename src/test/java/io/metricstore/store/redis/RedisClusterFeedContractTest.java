package io.metricstore.store.redis;

import io.metricstore.store.FeedContract;
import io.metricstore.store.StoreBackend;
import io.metricstore.store.StoreConfig;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;

/**
 * The feed contract (the snapshot and the change feed), against a real three-node Redis Cluster
 * ({@link ClusterTopology}). Every store gets a namespace of its own, so its keys land in a slot of their own and
 * the stores of one run are spread over the three nodes.
 */
@QuarkusTest
@TestProfile(RedisClusterProfile.class)
class RedisClusterFeedContractTest extends FeedContract {

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
