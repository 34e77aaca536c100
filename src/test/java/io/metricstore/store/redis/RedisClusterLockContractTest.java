package io.metricstore.store.redis;

import io.metricstore.store.LockContract;
import io.metricstore.store.StoreBackend;
import io.metricstore.store.StoreConfig;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;

/**
 * The lock contract (locks, the GC lock and the lock race), against a real three-node Redis Cluster
 * ({@link ClusterTopology}). Every store gets a namespace of its own, so the stores are spread over the nodes.
 */
@QuarkusTest
@TestProfile(RedisClusterProfile.class)
class RedisClusterLockContractTest extends LockContract {

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
