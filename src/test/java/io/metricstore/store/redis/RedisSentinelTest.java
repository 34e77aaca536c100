package io.metricstore.store.redis;

import static io.metricstore.api.ApiTest.problem;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.greaterThan;

import io.metricstore.PackagedJar;
import io.metricstore.exposition.FollowerCache;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.metricstore.store.MutableClock;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Failovers on Sentinel with writes acknowledged by the primary alone (the default): the service follows them, and a
 * failover to a replica that missed writes is never silent.
 */
@QuarkusTest
@TestProfile(RedisSentinelProfile.class)
class RedisSentinelTest extends SentinelFailovers {

    @SentinelTopology.Inject
    SentinelTopology sentinel;

    @Inject
    FollowerCache cache;

    @Inject
    MutableClock clock;

    @Override
    SentinelTopology sentinel() {
        return sentinel;
    }

    @Override
    boolean replicaAcknowledges() {
        return false;
    }

    /**
     * The replica misses writes (its link is down), the primary crashes, and Sentinel promotes the replica: the
     * acknowledged writes it missed are lost, but never silently (SPEC §5). The first write on the promoted replica
     * starts a new epoch, so old cursors answer 410, this replica's {@code /metrics} copy reloads and equals a fresh
     * snapshot although the new writes' sequence numbers pass the old cursor, and the next fence is above every fence
     * issued before the failover.
     */
    @Test
    void aFailoverToAReplicaThatMissedWritesIsNeverSilent() throws Exception {
        post("sentinel_lagging", "kept").statusCode(200);
        sentinel.detachReplica();
        for (int n = 0; n < 10; n++) {
            post("sentinel_lagging", "missed_" + n).statusCode(200);
        }
        long fence = given().contentType("application/json").body("{\"ttl\":\"1m\"}")
                .when().post("/api/v1/locks/job/sentinel-lagging").then().statusCode(201)
                .extract().<Number>path("fence").longValue();
        cache.refresh();
        String followed = given().when().get("/api/v1/cursor").then().statusCode(200).extract().path("cursor");
        assertThat(exposed()).hasSize(11);

        int killed = sentinel.killPrimary();
        sentinel.awaitFailover(killed);
        PackagedJar.await(() -> PackagedJar.answers(uri("/q/health/ready").toString(), 200), RECOVERY,
                "readiness UP after the failover");
        for (int n = 0; n < 20; n++) {
            post("sentinel_lagging", "new_" + n).statusCode(200);
        }
        // The fences' time floor moves with the store's clock, which stands still in tests unless moved: the failover
        // took at least this long in real time.
        clock.advance(Duration.ofSeconds(1));
        problem(given().queryParam("since", followed).when().get("/api/v1/changes").then(), 410, "cursor-expired");
        cache.refresh();
        assertThat(exposed()).isEqualTo(stored("sentinel_lagging")).hasSize(21).contains(id("sentinel_lagging", "kept"))
                .noneMatch(series -> series.contains("missed_"));
        given().contentType("application/json").body("{\"ttl\":\"1m\"}")
                .when().post("/api/v1/locks/job/sentinel-after-failover").then().statusCode(201)
                .body("fence", greaterThan(fence));

        sentinel.restart(killed);
        sentinel.awaitReplica(killed);
    }

    /** The series of this replica's {@code /metrics} copy for the test's metric, as ids. */
    private static Set<String> exposed() {
        List<String> lines = given().when().get("/metrics").then().statusCode(200).extract().asString().lines()
                .filter(line -> line.startsWith("sentinel_lagging{")).toList();
        Set<String> ids = new TreeSet<>();
        lines.forEach(line -> ids.add(line.substring(0, line.indexOf('}') + 1)));
        return ids;
    }
}
