package io.metricstore.api;

import io.metricstore.store.redis.RedisProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The whole HTTP surface again, with the application on the Redis backend: the answers must be the same. */
@QuarkusTest
@TestProfile(RedisProfile.class)
class RedisApiTest extends ApiTest {

    @Override
    protected String backend() {
        return "redis";
    }
}
