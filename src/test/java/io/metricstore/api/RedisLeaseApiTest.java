package io.metricstore.api;

import io.metricstore.store.redis.RedisProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** Leases and fenced writes over HTTP again, with the application on the Redis backend: the same answers. */
@QuarkusTest
@TestProfile(RedisProfile.class)
class RedisLeaseApiTest extends LeaseApiTest {
}
