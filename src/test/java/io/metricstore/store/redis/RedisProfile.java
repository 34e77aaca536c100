package io.metricstore.store.redis;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;

/** Runs the application on the Redis backend, against the server {@link RedisTestServer} provides. */
public class RedisProfile implements QuarkusTestProfile {

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(RedisTestServer.class));
    }
}
