package io.metricstore.api;

import static io.metricstore.api.ApiTest.post;
import static io.metricstore.api.ApiTest.problem;
import static io.metricstore.api.ApiTest.scrape;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasSize;

import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.http.ContentType;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The packaged application (the jar under target/quarkus-app), walked through every row of the API. */
@QuarkusIntegrationTest
class PackagedAppIT {

    /** The packaged service starts through its own main, which hands malformed URIs to the service's check. */
    @Test
    void aUriThatIsNotPercentEncodedUtf8IsAProblem() throws IOException {
        assertThat(ApiTest.rawGet("/api/v1/changes?since=NGUw\u2026")).startsWith("HTTP/1.1 400")
                .contains("urn:metric-store:problem:malformed-uri");
    }

    @Test
    void pointsSeriesCursorAndChanges() {
        String cursor = given().when().get("/api/v1/cursor").then().statusCode(200).extract().path("cursor");
        post("/api/v1/points", scrape("{\"name\":\"it_up\",\"labels\":{\"job\":\"a\"},\"value\":1},"
                + "{\"name\":\"it_up\",\"labels\":{\"job\":\"b\"},\"value\":\"NaN\"}"))
                .statusCode(200).body("applied", equalTo(2));
        given().queryParam("name", "it_up").when().get("/api/v1/series").then().statusCode(200)
                .body("series.id", contains("it_up{job=\"a\"}", "it_up{job=\"b\"}"))
                .body("series[1].value", equalTo("NaN"));
        given().queryParam("since", cursor).when().get("/api/v1/changes").then().statusCode(200)
                .body("events", hasSize(2)).body("more", equalTo(false));
        problem(given().queryParam("since", "nope").when().get("/api/v1/changes").then(), 400, "malformed-cursor");
        problem(post("/api/v1/points", "{\"role\":\"leader\",\"role\":\"leader\"}"), 400, "malformed-request");
        problem(post("/api/v1/points", ApiTest.batch("follower", "leader_scrape", "")), 403, "write-forbidden");
        problem(given().contentType(ContentType.TEXT).body("x").when().post("/api/v1/points").then(), 415,
                "unsupported-media-type");
    }

    @Test
    void locksAndGc() {
        String token = post("/api/v1/locks/job/it-job", "{\"ttl\":\"30s\"}").statusCode(201)
                .body("fence", greaterThan(0L)).extract().path("token");
        problem(post("/api/v1/locks/job/it-job", "{\"ttl\":\"30s\"}"), 409, "lock-held").body("acquired", equalTo(false));
        given().when().get("/api/v1/locks/job/it-job").then().statusCode(200).body("held", equalTo(true));
        given().contentType(ContentType.JSON).body("{\"token\":\"" + token + "\",\"ttl\":\"1m\"}")
                .when().put("/api/v1/locks/job/it-job").then().statusCode(200);
        given().header("Lock-Token", token).when().delete("/api/v1/locks/job/it-job").then().statusCode(204);
        problem(given().when().get("/api/v1/locks/job/it-job").then(), 404, "lock-not-held");
        problem(given().when().get("/api/v1/locks/other/it-job").then(), 404, "not-found");
        given().when().post("/api/v1/admin/gc").then().statusCode(200).body("expiredSeries", equalTo(0));
    }

    @Test
    void probesAndTelemetry() {
        given().when().get("/q/health/live").then().statusCode(200);
        given().when().get("/q/health/ready").then().statusCode(200);
        given().when().get("/q/health/started").then().statusCode(200);
        given().when().get("/q/metrics").then().statusCode(200);
        given().when().get("/q/openapi").then().statusCode(200);
    }
}
