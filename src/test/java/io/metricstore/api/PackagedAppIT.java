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

import io.metricstore.PackagedJar;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged application (the jar under target/quarkus-app), walked through every row of the API, as it runs in
 * production: authentication on (a static token with every role), probes on the management port.
 */
@QuarkusIntegrationTest
@TestProfile(PackagedAppIT.Secured.class)
class PackagedAppIT {

    private static final int MANAGEMENT_PORT = freePort();

    /** The production profile's authentication, with a tokens file, and a management port of its own. */
    public static class Secured implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>();
            for (String option : PackagedJar.secured(MANAGEMENT_PORT)) {
                String[] pair = option.substring(2).split("=", 2);
                config.put(pair[0], pair[1]);
            }
            return config;
        }
    }

    private static int freePort() {
        try {
            return PackagedJar.freePort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether requests without an Authorization header of their own get the token. */
    private static volatile boolean sendToken = true;

    @BeforeAll
    static void sendTheToken() {
        RestAssured.filters((request, response, context) -> {
            if (sendToken && !request.getHeaders().hasHeaderWithName("Authorization")) {
                request.header("Authorization", PackagedJar.bearer());
            }
            return context.next(request, response);
        });
    }

    @AfterAll
    static void stopSendingIt() {
        RestAssured.replaceFiltersWith(List.of());
    }

    @Test
    void withoutATokenTheApiAndTheSeriesAre401() {
        sendToken = false;
        try {
            problem(given().when().get("/api/v1/cursor").then(), 401, "unauthenticated");
            problem(given().when().get("/metrics").then(), 401, "unauthenticated");
            problem(given().header("Authorization", "Bearer not-the-token").when().get("/metrics").then(), 401,
                    "unauthenticated");
        } finally {
            sendToken = true;
        }
    }

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
    void probesAndTelemetryOnTheManagementPortWithoutAToken() {
        sendToken = false;
        try {
            given().port(MANAGEMENT_PORT).when().get("/q/health/live").then().statusCode(200);
            given().port(MANAGEMENT_PORT).when().get("/q/health/ready").then().statusCode(200);
            given().port(MANAGEMENT_PORT).when().get("/q/health/started").then().statusCode(200);
            given().port(MANAGEMENT_PORT).when().get("/q/metrics").then().statusCode(200);
            given().port(MANAGEMENT_PORT).when().get("/q/openapi").then().statusCode(200);
            given().when().get("/q/health/ready").then().statusCode(404);
        } finally {
            sendToken = true;
        }
    }
}
