package io.metricstore.store.redis;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The retention contract (retention, expiry and the GC of series and tombstones), against a real three-node Redis
 * Cluster ({@link ClusterTopology}). Every store gets a namespace of its own, so the stores are spread over the nodes.
 */
@QuarkusTest
@TestProfile(RedisClusterProfile.class)
class RedisClusterRetentionContractTest extends RedisRetentionContractTest {
}
