package io.metricstore.api;

import static io.metricstore.api.ApiTest.post;
import static io.metricstore.api.ApiTest.problem;
import static io.metricstore.api.ApiTest.scrape;
import static io.metricstore.api.ApiTest.batch;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import io.metricstore.store.MutableClock;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The configured limits over HTTP: batch size, series cap, lock TTL, with small values to reach them; and the input
 * limits at their defaults: the error cap, the raw label count, the per-series byte budget, counters without a family
 * name, and how far ahead of the server's clock a point may be.
 */
@QuarkusTest
@TestProfile(LimitsApiTest.SmallLimits.class)
class LimitsApiTest {

    @Inject
    MutableClock clock;

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

    @Test
    void aHugeInvalidBodyListsOneHundredErrorsAndCountsThemAll() {
        String points = String.join(",", Collections.nCopies(50_000, "{\"name\":\"9\",\"value\":1}"));
        problem(post("/api/v1/points", scrape(points)), 400, "validation")
                .body("errorCount", equalTo(50_000))
                .body("errors", hasSize(100))
                .body("errors[0].field", equalTo("points[0].name"))
                .body("errors[99].field", equalTo("points[99].name"))
                .body("detail", containsString("store.limits.max-errors"));
    }

    @Test
    void aPointWithMoreLabelsThanTheLimitIsOneErrorHoweverBadTheLabels() {
        StringBuilder labels = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            labels.append(i == 0 ? "" : ",").append("\"-").append(i).append("\":\"x\"");
        }
        problem(post("/api/v1/points", scrape("{\"name\":\"m\",\"labels\":{" + labels + "},\"value\":1}")),
                400, "validation")
                .body("errorCount", equalTo(1))
                .body("errors.field", contains("points[0].labels"))
                .body("errors[0].message", containsString("store.limits.max-labels (64)"));
    }

    @Test
    void aSeriesOverTheByteBudgetIsRefused() {
        String value = "v".repeat(2000);
        problem(post("/api/v1/points", scrape("{\"name\":\"big\",\"labels\":{\"a\":\"" + value + "\",\"b\":\""
                + value + "\",\"c\":\"" + value + "\"},\"value\":1}")), 400, "validation")
                .body("errorCount", equalTo(1))
                .body("errors.field", contains("points[0]"))
                .body("errors[0].message", containsString("6006 bytes"))
                .body("errors[0].message", containsString("store.limits.max-series-bytes (4096)"));
    }

    @Test
    void aCounterNamedTotalIsRefused() {
        problem(post("/api/v1/points", "{\"role\":\"leader\",\"source\":\"leader_scrape\",\"points\":[],"
                + "\"families\":{\"_total\":{\"type\":\"counter\"}}}"), 400, "validation")
                .body("errorCount", equalTo(1))
                .body("errors.field", contains("families._total"));
    }

    @Test
    void backfillsMayNotBeAheadOfTheServerScrapesUpToTheClockSkew() {
        String ahead2s = clock.instant().plusSeconds(2).toString();
        problem(post("/api/v1/points", batch("follower", "worker_backfill",
                "{\"name\":\"ahead\",\"value\":1,\"updatedAt\":\"" + ahead2s + "\"}")), 400, "validation")
                .body("errorCount", equalTo(1))
                .body("errors.field", contains("points[0].updatedAt"))
                .body("errors[0].message", containsString("worker_backfill"));
        problem(post("/api/v1/points", scrape("{\"name\":\"ahead\",\"value\":1,\"updatedAt\":\""
                + clock.instant().plusSeconds(11) + "\"}")), 400, "validation")
                .body("errors.field", contains("points[0].updatedAt"))
                .body("errors[0].message", containsString("store.max-clock-skew (PT10S)"));
        post("/api/v1/points", scrape("{\"name\":\"ahead\",\"value\":1,\"updatedAt\":\"" + ahead2s + "\"}"))
                .statusCode(200).body("applied", equalTo(1));
        // The series cap of this profile is small and another test fills it: let the series expire.
        clock.advance(Duration.ofHours(1).plusSeconds(3));
        given().when().post("/api/v1/admin/gc").then().statusCode(200);
    }

    @Test
    void everyValidationRefusalCountsItsErrors() {
        problem(post("/api/v1/locks/job/counted", "{\"ttl\":\"11m\"}"), 400, "validation")
                .body("errorCount", equalTo(1));
    }
}
