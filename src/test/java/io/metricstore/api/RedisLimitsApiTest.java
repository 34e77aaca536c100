package io.metricstore.api;

import io.metricstore.store.redis.RedisTestServer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.util.List;

/** The configured limits over HTTP, with the application on the Redis backend. */
@QuarkusTest
@TestProfile(RedisLimitsApiTest.RedisSmallLimits.class)
class RedisLimitsApiTest extends LimitsApiTest {

    public static class RedisSmallLimits extends SmallLimits {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(RedisTestServer.class));
        }
    }
}
