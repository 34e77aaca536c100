package io.metricstore.store.redis;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The snapshot page contract against a real three-node Redis Cluster ({@link ClusterTopology}). */
@QuarkusTest
@TestProfile(RedisClusterProfile.class)
class RedisClusterSnapshotPageContractTest extends RedisSnapshotPageContractTest {
}
