package io.metricstore.limits;

import static io.metricstore.api.ApiTest.problem;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import io.metricstore.Eventually;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Snapshots and scrapes share {@code store.limits.max-concurrent-reads} (16) permits: with every permit held (as by 16
 * slow readers), both answer 503 {@code too-many-reads} at once; each answered read gives its permit back.
 */
@QuarkusTest
class ExpensiveReadsApiTest {

    private static final int MAX = 16;

    @Inject
    ExpensiveReads reads;

    @Test
    void beyondThePermitsSnapshotsAndScrapesAreRefusedAtOnce() {
        List<ExpensiveReads.Permit> held = new ArrayList<>();
        try {
            Eventually.until(() -> reads.available() == MAX, Duration.ofSeconds(10), "every permit free");
            for (int i = 0; i < MAX; i++) {
                held.add(reads.take());
            }
            problem(given().when().get("/api/v1/series").then(), 503, "too-many-reads")
                    .header("Retry-After", "1")
                    .body("detail", containsString("store.limits.max-concurrent-reads"));
            problem(given().when().get("/metrics").then(), 503, "too-many-reads").header("Retry-After", "1");
            given().when().get("/api/v1/cursor").then().statusCode(200);
        } finally {
            held.forEach(ExpensiveReads.Permit::close);
        }
        for (int i = 0; i < 2 * MAX; i++) {
            given().when().get(i % 2 == 0 ? "/api/v1/series" : "/metrics").then().statusCode(200);
        }
        Eventually.until(() -> reads.available() == MAX, Duration.ofSeconds(10), "every answered read's permit back");
        assertThat(reads.available()).isEqualTo(MAX);
    }
}
