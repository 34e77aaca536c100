package io.metricstore.store.redis;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;

/** Runs the application on the Redis backend against a real three-node Redis Cluster ({@link ClusterTopology}). */
public class RedisClusterProfile implements QuarkusTestProfile {

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(ClusterTopology.Resource.class));
    }
}
