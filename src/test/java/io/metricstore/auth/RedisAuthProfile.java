package io.metricstore.auth;

import io.metricstore.store.redis.RedisTestServer;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;
import java.util.Map;

/** Authentication on (Redis backend), the key set fetched over HTTP with a projected token, as from an API server. */
public class RedisAuthProfile implements QuarkusTestProfile {

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(RedisTestServer.class),
                new TestResourceEntry(AuthFixture.class, Map.of("jwks", "url")));
    }
}
