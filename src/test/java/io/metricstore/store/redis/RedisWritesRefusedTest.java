package io.metricstore.store.redis;

import static io.metricstore.api.ApiTest.post;
import static io.metricstore.api.ApiTest.problem;
import static io.metricstore.api.ApiTest.scrape;
import static io.metricstore.api.ApiTest.unique;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import io.metricstore.LogCapture;
import io.metricstore.Management;
import io.metricstore.PackagedJar;
import io.metricstore.exposition.FollowerCache;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/**
 * A Redis that is up but refuses writes (out of memory under {@code noeviction}) opens the writes breaker alone: writes
 * answer 503 with that breaker's Retry-After, while snapshots, changes, the cursor, lease observation and the
 * {@code /metrics} copy are served and the replica stays ready. The breakers' delays differ here (reads 2 s, writes
 * 3 s), so a Retry-After tells which breaker refused.
 */
@QuarkusTest
@TestProfile(RedisWritesRefusedTest.DistinctDelays.class)
class RedisWritesRefusedTest {

    private static final String WRITES_DELAY = "3";

    public static class DistinctDelays implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("io.metricstore.store.redis.RedisGuard/call/CircuitBreaker/delay", "2000",
                    "io.metricstore.store.redis.RedisGuard/call/CircuitBreaker/requestVolumeThreshold", "4",
                    "io.metricstore.store.redis.RedisWriteGuard/call/CircuitBreaker/delay", "3000",
                    "io.metricstore.store.redis.RedisWriteGuard/call/CircuitBreaker/requestVolumeThreshold", "4",
                    // No GC lease renewal in the background: the test's own writes are the only ones.
                    "quarkus.scheduler.enabled", "false");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(RedisTestServer.class));
        }
    }

    @Inject
    RedisDataSource redis;

    @Inject
    FollowerCache cache;

    @Test
    void aRedisOutOfMemoryPausesWritesAloneAndReadsGoOn() throws InterruptedException {
        String name = unique("full");
        String lease = "/api/v1/leases/" + unique("full");
        post("/api/v1/points", scrape("{\"name\":\"" + name + "\",\"value\":7}")).statusCode(200);
        post(lease, "{\"ttl\":\"1h\",\"holder\":\"pod-a\"}").statusCode(201);
        String cursor = given().when().get("/api/v1/cursor").then().statusCode(200).extract().path("cursor");
        LogCapture backendLog = LogCapture.of(RedisBackend.class);
        String policy = redis.execute("CONFIG", "GET", "maxmemory-policy").get("maxmemory-policy").toString();
        redis.execute("CONFIG", "SET", "maxmemory-policy", "noeviction");
        redis.execute("CONFIG", "SET", "maxmemory", "1");
        long paused;
        try {
            // A lock acquire writes at its first command, so Redis 6.2 refuses it too (a batch of points may start
            // with a removal, which Redis allows when out of memory).
            problem(post("/api/v1/locks/job/" + unique("full"), "{\"ttl\":\"30s\"}"), 503, "backend-unavailable")
                    .header("Retry-After", WRITES_DELAY)
                    .body("detail", containsString("OOM"))
                    .body("detail", containsString("reads are still served"));
            for (int i = 0; i < 3; i++) {
                post("/api/v1/locks/job/" + unique("full"), "{\"ttl\":\"30s\"}").statusCode(503);
            }
            problem(post("/api/v1/points", scrape("{\"name\":\"" + name + "\",\"value\":8}")), 503,
                    "backend-unavailable")
                    .header("Retry-After", WRITES_DELAY)
                    .body("detail", containsString("writes to Redis failed repeatedly and are paused (circuit open)"))
                    .body("detail", containsString("OOM"));
            paused = System.nanoTime();

            given().queryParam("name", name).when().get("/api/v1/series").then().statusCode(200)
                    .body("series[0].value", equalTo(7.0f));
            given().queryParam("since", cursor).when().get("/api/v1/changes").then().statusCode(200);
            given().when().get("/api/v1/cursor").then().statusCode(200).body("cursor", equalTo(cursor));
            given().when().get(lease).then().statusCode(200).body("holder", equalTo("pod-a"));
            cache.refresh();
            assertThat(given().when().get("/metrics").then().statusCode(200).extract().asString())
                    .contains(name + " 7");

            backend(Management.given().when().get("/q/health/ready").then().statusCode(200))
                    .body("status", equalTo("UP"))
                    .body("data.circuit", equalTo("closed"))
                    .body("data.writes", equalTo("open"))
                    .body("data.writesUnavailable", containsString("OOM"));
            assertThat(Management.given().when().get("/q/metrics").then().statusCode(200).extract().asString())
                    .contains("store_circuit_state{backend=\"redis\",breaker=\"reads\"} 0.0")
                    .contains("store_circuit_state{backend=\"redis\",breaker=\"writes\"} 2.0");
        } finally {
            redis.execute("CONFIG", "SET", "maxmemory", "0");
            redis.execute("CONFIG", "SET", "maxmemory-policy", policy);
        }

        // Redis takes writes again at once; the breaker lets one through after its delay, which closes it.
        PackagedJar.await(() -> post("/api/v1/points", scrape("{\"name\":\"" + name + "\",\"value\":9}"))
                .extract().statusCode() == 200, Duration.ofSeconds(30), "writes back");
        assertThat(Duration.ofNanos(System.nanoTime() - paused)).isGreaterThan(Duration.ofSeconds(2));
        given().queryParam("name", name).when().get("/api/v1/series").then().body("series[0].value", equalTo(9.0f));
        backend(Management.given().when().get("/q/health/ready").then().statusCode(200))
                .body("data.writes", equalTo("closed"))
                .body("data.writesUnavailable", nullValue());
        backendLog.close();
        // One line when Redis starts refusing writes, one when it takes them again; Redis was never unreachable.
        assertThat(backendLog.records()).extracting(LogRecord::getMessage)
                .satisfiesExactly(
                        refused -> assertThat(refused).startsWith("Redis refuses writes: ")
                                .contains("OOM command not allowed", "reads are still served"),
                        back -> assertThat(back).isEqualTo("Redis accepts writes again"));
    }

    /** The readiness check of the backend. */
    private static ValidatableResponse backend(ValidatableResponse ready) {
        return ready.rootPath("checks.find { it.name == 'store-backend' }");
    }
}
