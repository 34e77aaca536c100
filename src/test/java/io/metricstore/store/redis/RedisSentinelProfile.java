package io.metricstore.store.redis;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;

/**
 * Runs the application on the Redis backend through Sentinel, against a real primary, replica and three Sentinels
 * ({@link SentinelTopology}).
 */
public class RedisSentinelProfile implements QuarkusTestProfile {

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(SentinelTopology.Resource.class));
    }
}
