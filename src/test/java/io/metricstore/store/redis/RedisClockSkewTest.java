package io.metricstore.store.redis;

import static io.metricstore.api.ApiTest.post;
import static io.metricstore.api.ApiTest.problem;
import static io.metricstore.api.ApiTest.scrape;
import static io.metricstore.api.ApiTest.unique;
import static io.metricstore.store.TestStore.point;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.metricstore.Management;
import io.metricstore.store.MutableClock;
import io.metricstore.store.TestStore;
import io.metricstore.store.model.LockKind;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One clock (SPEC §5): a replica whose clock is off Redis' by more than {@code store.max-replica-skew} is not ready
 * and refuses writes and lock calls with 503, while another replica on the same Redis keeps working. The clocks are
 * the injected ones: this replica's is set off the wall clock (which the Redis server runs on); the other replica is
 * a second store in this JVM on the same namespace.
 */
@QuarkusTest
@TestProfile(RedisClockSkewTest.DefaultSkew.class)
class RedisClockSkewTest {

    public static class DefaultSkew implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("store.max-replica-skew", "500ms");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(RedisTestServer.class));
        }
    }

    @Inject
    MutableClock clock;

    @Inject
    RedisContractBackends redis;

    @AfterEach
    void clockBack() {
        clock.set(Instant.now());
    }

    @Test
    void aReplicaWithASkewedClockRefusesWritesAndLocksWhileAnotherKeepsWorking() {
        String name = unique("skew");
        Management.given().when().get("/q/health/live").then().statusCode(200);
        clock.follow(Duration.ZERO);
        post("/api/v1/points", scrape("{\"name\":\"" + name + "\",\"value\":1}")).statusCode(200);

        clock.follow(Duration.ofSeconds(2));
        problem(post("/api/v1/points", scrape("{\"name\":\"" + name + "\",\"value\":2}")), 503, "backend-unavailable")
                .body("detail", containsString("clock skew"))
                .body("detail", containsString("store.max-replica-skew"));
        problem(post("/api/v1/locks/job/" + name, "{\"ttl\":\"30s\"}"), 503, "backend-unavailable")
                .body("detail", containsString("clock skew"));
        // Whether a lock is held is decided with this replica's clock too.
        problem(given().when().get("/api/v1/locks/job/" + name).then(), 503, "backend-unavailable");
        Management.given().when().get("/q/health/ready").then().statusCode(503)
                .body("checks.find { it.name == 'store-backend' }.data.reason", containsString("clock skew"));
        // Reads do not depend on this replica's clock being right.
        given().queryParam("name", name).when().get("/api/v1/series").then().statusCode(200)
                .body("series[0].value", equalTo(1.0f));

        TestStore other = new TestStore(Instant.now(), config -> redis.backend(config, Clock.systemUTC()),
                "store.max-replica-skew", "500ms");
        assertThat(other.scrape(point(name, 3)).applied()).isEqualTo(1);
        assertThat(other.store.acquire(LockKind.JOB, name, Duration.ofSeconds(30), null, "anonymous").fence()).isPositive();
        assertThat(other.store.unready()).isEmpty();

        clock.follow(Duration.ofSeconds(-2));
        problem(post("/api/v1/points", scrape("{\"name\":\"" + name + "\",\"value\":4}")), 503, "backend-unavailable")
                .body("detail", containsString("is -"));

        clock.follow(Duration.ZERO);
        post("/api/v1/points", scrape("{\"name\":\"" + name + "\",\"value\":5}")).statusCode(200);
        Management.given().when().get("/q/health/ready").then().statusCode(200);
    }
}
