package io.metricstore.store.redis;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The lease contract, against a real three-node Redis Cluster
 * ({@link ClusterTopology}). Every store gets a namespace of its own, so the stores are spread over the nodes.
 */
@QuarkusTest
@TestProfile(RedisClusterProfile.class)
class RedisClusterLeaseContractTest extends RedisLeaseContractTest {
}
