package io.metricstore.api;

import io.metricstore.store.redis.RedisProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** Paging {@code GET /series} again, with the application on the Redis backend: the answers must be the same. */
@QuarkusTest
@TestProfile(RedisProfile.class)
class RedisSeriesPagesApiTest extends SeriesPagesApiTest {
}
