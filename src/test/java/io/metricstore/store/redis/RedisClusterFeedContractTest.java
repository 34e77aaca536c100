package io.metricstore.store.redis;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The feed contract (the snapshot and the change feed), against a real three-node Redis Cluster
 * ({@link ClusterTopology}). Every store gets a namespace of its own, so its keys land in a slot of their own and
 * the stores of one run are spread over the three nodes.
 */
@QuarkusTest
@TestProfile(RedisClusterProfile.class)
class RedisClusterFeedContractTest extends RedisFeedContractTest {
}
