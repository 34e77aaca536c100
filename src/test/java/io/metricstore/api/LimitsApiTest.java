package io.metricstore.api;

import static io.metricstore.api.ApiTest.post;
import static io.metricstore.api.ApiTest.problem;
import static io.metricstore.api.ApiTest.scrape;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The configured limits over HTTP: batch size, series cap, lock TTL, with small values to reach them. */
@QuarkusTest
@TestProfile(LimitsApiTest.SmallLimits.class)
class LimitsApiTest {

    public static class SmallLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("store.max-series", "3", "store.max-batch", "4", "store.locks.max-ttl", "10m");
        }
    }

    @Test
    void theSeriesCapRefusesTheWholeBatch() {
        post("/api/v1/points", scrape("{\"name\":\"cap_a\",\"value\":1},{\"name\":\"cap_b\",\"value\":1}"))
                .statusCode(200);
        problem(post("/api/v1/points", scrape("{\"name\":\"cap_a\",\"value\":2},{\"name\":\"cap_c\",\"value\":1},"
                + "{\"name\":\"cap_d\",\"value\":1}")), 507, "series-limit-exceeded")
                .body("detail", containsString("store.max-series"));
        given().when().get("/api/v1/series").then().statusCode(200)
                .body("series.id", contains("cap_a", "cap_b"))
                .body("series[0].value", equalTo(1.0f));
    }

    @Test
    void aBatchOverMaxBatchIsRefused() {
        problem(post("/api/v1/points", scrape("{\"name\":\"b\",\"value\":1},".repeat(4) + "{\"name\":\"b\",\"value\":1}")),
                413, "batch-too-large").body("detail", containsString("store.max-batch"));
    }

    @Test
    void aTtlOverTheMaximumIsRefused() {
        problem(post("/api/v1/locks/job/limits", "{\"ttl\":\"11m\"}"), 400, "validation")
                .body("errors[0].message", containsString("store.locks.max-ttl"));
        post("/api/v1/locks/job/limits", "{\"ttl\":\"10m\"}").statusCode(201);
    }
}
