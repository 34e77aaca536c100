package io.metricstore.store.redis;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The watch contract (change signals), against a real three-node Redis Cluster ({@link ClusterTopology}): a
 * {@code PUBLISH} from a script on the node that holds the namespace's slot reaches the subscription on whichever
 * node it was made.
 */
@QuarkusTest
@TestProfile(RedisClusterProfile.class)
class RedisClusterWatchContractTest extends RedisWatchContractTest {
}
