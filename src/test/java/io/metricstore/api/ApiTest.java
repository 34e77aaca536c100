package io.metricstore.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import io.metricstore.Management;
import io.metricstore.exposition.FollowerCache;
import io.metricstore.store.MutableClock;
import io.metricstore.store.model.Cursor;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The HTTP surface: every endpoint and every refusal. The application is shared between tests, so each test uses
 * metric names and lock keys of its own.
 */
@QuarkusTest
public class ApiTest {

    @Inject
    MutableClock clock;

    @Inject
    FollowerCache cache;

    public static String unique(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().replace("-", "");
    }

    public static ValidatableResponse post(String path, String json) {
        return given().contentType(ContentType.JSON).body(json).when().post(path).then();
    }

    public static String batch(String role, String source, String points) {
        return "{\"role\":\"" + role + "\",\"source\":\"" + source + "\",\"points\":[" + points + "]}";
    }

    public static String scrape(String points) {
        return batch("leader", "leader_scrape", points);
    }

    /** Asserts the response is a problem document of the given type and status. */
    public static ValidatableResponse problem(ValidatableResponse response, int status, String type) {
        return response.statusCode(status)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:metric-store:problem:" + type))
                .body("status", equalTo(status))
                .body("title", notNullValue())
                .body("detail", notNullValue())
                .body("$", not(hasKey("stackTrace")));
    }

    /** The backend the application under test runs on. */
    protected String backend() {
        return "memory";
    }

    String now() {
        return clock.instant().toString();
    }

    // ---- POST /points

    @Test
    void writeAndReadBack() {
        String name = unique("http_requests_total");
        post("/api/v1/points", scrape("{\"name\":\"" + name + "\",\"labels\":{\"method\":\"get\",\"code\":\"200\",\"empty\":\"\"},"
                + "\"value\":42.5,\"updatedAt\":\"" + now() + "\"},{\"name\":\"" + name + "\",\"value\":\"+Inf\"}"))
                .statusCode(200).contentType(ContentType.JSON)
                .body("applied", equalTo(2)).body("unchanged", equalTo(0)).body("stale", equalTo(0))
                .body("cursor", notNullValue());
        given().queryParam("name", name).when().get("/api/v1/series").then()
                .statusCode(200)
                .body("cursor", notNullValue())
                .body("series.id", contains(name, name + "{code=\"200\",method=\"get\"}"))
                .body("series[0].value", equalTo("+Inf"))
                .body("series[1].name", equalTo(name))
                .body("series[1].labels.method", equalTo("get"))
                .body("series[1].labels", not(hasKey("empty")))
                .body("series[1].value", equalTo(42.5f))
                .body("series[1].updatedAt", equalTo(now()))
                .body("series[1].source", equalTo("leader_scrape"));
    }

    @Test
    void replaysAndStaleWritesAreCounted() {
        String name = unique("m");
        String point = "{\"name\":\"" + name + "\",\"value\":1,\"updatedAt\":\"" + now() + "\"}";
        post("/api/v1/points", scrape(point)).statusCode(200).body("applied", equalTo(1));
        String older = "{\"name\":\"" + name + "\",\"value\":9,\"updatedAt\":\"" + clock.instant().minusSeconds(1) + "\"}";
        post("/api/v1/points", batch("follower", "worker_backfill", point + "," + older)).statusCode(200)
                .body("applied", equalTo(0)).body("unchanged", equalTo(0)).body("stale", equalTo(2));
        post("/api/v1/points", scrape(point)).statusCode(200).body("unchanged", equalTo(1));
    }

    @Test
    void aFollowerWritingScrapeResultsIsForbidden() {
        problem(post("/api/v1/points", batch("follower", "leader_scrape", "{\"name\":\"up\",\"value\":1}")),
                403, "write-forbidden");
    }

    @Test
    void everyBadPointIsNamed() {
        problem(post("/api/v1/points", scrape("{\"name\":\"ok\",\"value\":1},{\"name\":\"9bad\",\"labels\":{\"__x\":\"1\"},"
                        + "\"value\":1e999},{\"name\":\"x\",\"value\":\"inf\",\"updatedAt\":\"yesterday\"}")),
                400, "validation")
                .body("errors.field", contains("points[1].name", "points[1].labels.__x", "points[1].value",
                        "points[2].value", "points[2].updatedAt"))
                .body("errors.message", hasItem(containsString("RFC 3339")));
    }

    @Test
    void unknownRoleAndSourceAreValidationErrors() {
        problem(post("/api/v1/points", batch("boss", "magic", "")), 400, "validation")
                .body("errors.field", contains("role", "source"));
        problem(post("/api/v1/points", "{\"points\":[]}"), 400, "validation")
                .body("errors.field", contains("role", "source"));
        problem(post("/api/v1/points", "{\"role\":\"leader\",\"source\":\"leader_scrape\"}"), 400, "validation")
                .body("errors.field", contains("points"));
    }

    @Test
    void timesOutsideTheWindowAreRefused() {
        String future = clock.instant().plus(Duration.ofMinutes(6)).toString();
        String ancient = clock.instant().minus(Duration.ofHours(2)).toString();
        problem(post("/api/v1/points", scrape("{\"name\":\"a\",\"value\":1,\"updatedAt\":\"" + future + "\"},"
                + "{\"name\":\"a\",\"value\":1,\"updatedAt\":\"" + ancient + "\"}")), 400, "validation")
                .body("errors.message", contains(containsString("store.max-clock-skew"), containsString("store.retention")));
    }

    @Test
    void malformedBodiesAreRefusedWithoutA5xx() {
        String[] bodies = {
            "", "{", "not json", "[]", "null", "42", "{\"role\":", "{\"role\":\"leader\"} trailing",
            "{\"role\":\"leader\",\"source\":\"leader_scrape\",\"points\":\"x\"}",
            "{\"role\":\"leader\",\"source\":\"leader_scrape\",\"points\":[[1]]}",
            "{\"role\":\"leader\",\"source\":\"leader_scrape\",\"points\":[{\"name\":\"a\",\"value\":true}]}",
            "{\"role\":\"leader\",\"source\":\"leader_scrape\",\"points\":[{\"name\":\"a\",\"value\":{}}]}",
            "{\"role\":\"leader\",\"source\":\"leader_scrape\",\"points\":[{\"name\":\"a\",\"labels\":[],\"value\":1}]}",
            "{\"role\":\"leader\",\"source\":\"leader_scrape\",\"points\":[{\"name\":\"a\",\"labels\":{\"a\":{}},\"value\":1}]}",
            "{\"role\":[\"leader\"],\"source\":\"leader_scrape\",\"points\":[]}",
            "{\"role\":\"leader\",\"source\":\"leader_scrape\",\"points\":[],\"extra\":1}",
            "{\"role\":\"leader\",\"source\":\"leader_scrape\",\"points\":[{\"name\":\"a\",\"value\":1,\"unit\":\"s\"}]}",
            "{\"role\":\"leader\",\"source\":\"leader_scrape\",\"points\":[{\"name\":\"a\",\"value\":" + "9".repeat(5000) + "}]}",
            "\u0000\u0001",
        };
        for (String body : bodies) {
            given().contentType(ContentType.JSON).body(body).when().post("/api/v1/points").then()
                    .statusCode(400).contentType("application/problem+json")
                    .body("type", startsWith("urn:metric-store:problem:"));
        }
    }

    @Test
    void duplicateKeysAreRefused() {
        problem(post("/api/v1/points", "{\"role\":\"leader\",\"role\":\"follower\",\"source\":\"worker_backfill\",\"points\":[]}"),
                400, "malformed-request").body("detail", containsString("Duplicate field 'role'"));
        problem(post("/api/v1/points", scrape("{\"name\":\"a\",\"labels\":{\"k\":\"1\",\"k\":\"2\"},\"value\":1}")),
                400, "malformed-request").body("detail", containsString("Duplicate field 'k'"));
    }

    @Test
    void unknownFieldsAreNamed() {
        problem(post("/api/v1/points", "{\"role\":\"leader\",\"source\":\"leader_scrape\",\"points\":[{\"name\":\"a\",\"value\":1,\"unit\":\"s\"}]}"),
                400, "malformed-request").body("errors[0].field", equalTo("points[0].unit"));
    }

    @Test
    void numbersOutOfRangeAreRefused() {
        problem(post("/api/v1/points", scrape("{\"name\":\"a\",\"value\":-1e400}")), 400, "validation")
                .body("errors[0].field", equalTo("points[0].value"));
        problem(post("/api/v1/points", scrape("{\"name\":\"a\",\"value\":" + "1".repeat(2000) + "}")), 400,
                "malformed-request");
    }

    @Test
    void aWrongContentTypeIsRefused() {
        problem(given().contentType(ContentType.TEXT).body("up 1").when().post("/api/v1/points").then(),
                415, "unsupported-media-type").body("detail", containsString("Content-Type: application/json"));
        problem(given().contentType("application/x-www-form-urlencoded").body("a=b").when().post("/api/v1/points").then(),
                415, "unsupported-media-type").body("detail", containsString("curl -d sends a form"));
    }

    /** More new families than {@code store.limits.max-families} (5,000) in one batch: refused whole. */
    @Test
    void aBatchDescribingTooManyFamiliesIsRefusedWhole() {
        String prefix = unique("family");
        StringBuilder families = new StringBuilder();
        for (int i = 0; i <= 5000; i++) {
            families.append(i == 0 ? "" : ",").append("\"").append(prefix).append(i).append("\":{\"type\":\"gauge\"}");
        }
        problem(post("/api/v1/points", "{\"role\":\"leader\",\"source\":\"leader_scrape\",\"points\":[{\"name\":\""
                + prefix + "0\",\"value\":1}],\"families\":{" + families + "}}"), 507, "family-limit-exceeded")
                .body("detail", containsString("store.limits.max-families"));
        given().queryParam("name", prefix + "0").when().get("/api/v1/series").then().statusCode(200)
                .body("series", empty());
    }

    @Test
    void anUnacceptableAcceptIsRefused() {
        problem(given().accept("text/html").when().get("/api/v1/series").then(), 406, "not-acceptable")
                .body("detail", containsString("send Accept: application/json"));
    }

    @Test
    void aBodyOverTheLimitIsRefusedBeforeItIsRead() {
        problem(given().contentType(ContentType.JSON).body("{\"role\":\"" + "x".repeat(17 * 1024 * 1024) + "\"}")
                .when().post("/api/v1/points").then(), 413, "body-too-large")
                .body("detail", containsString("quarkus.http.limits.max-body-size"));
    }

    @Test
    void unknownPathsAndMethodsAreProblems() {
        problem(given().when().get("/api/v1/nothing").then(), 404, "not-found")
                .body("detail", containsString("(/q/openapi on the management port, 9000) lists every path"));
        problem(given().when().delete("/api/v1/series").then(), 405, "method-not-allowed")
                .body("detail", containsString("DELETE is not allowed on /api/v1/series"));
        problem(given().when().get("/api/v1/locks/mutex/k").then(), 404, "not-found")
                .body("detail", containsString("use one of \"job\", \"dedup\""));
    }

    /** A URI that is not percent-encoded UTF-8 (a pasted placeholder, a broken escape) is a problem too. */
    @Test
    void aUriThatIsNotPercentEncodedUtf8IsAProblem() throws IOException {
        for (String query : new String[] {"since=%zz", "since=NGUw\u2026", "since=%C3%28", "since=a%20b%"}) {
            String answer = rawGet("/api/v1/changes?" + query);
            assertThat(answer).as(query).startsWith("HTTP/1.1 400")
                    .contains("application/problem+json")
                    .contains("\"type\":\"urn:metric-store:problem:malformed-uri\"")
                    .contains("--data-urlencode");
        }
        assertThat(rawGet("/api/v1/changes?since=%41")).as("a valid escape").contains("malformed-cursor");
    }

    /** Sent over a plain socket, byte for byte: HTTP clients refuse to send such URIs at all. */
    static String rawGet(String target) throws IOException {
        try (Socket socket = new Socket("localhost", RestAssured.port)) {
            socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close"
                    + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    // ---- GET /cursor and /changes

    @Test
    void followTheChangeFeedFromACursor() {
        String cursor = given().when().get("/api/v1/cursor").then().statusCode(200).extract().path("cursor");
        String a = unique("feed_a");
        String b = unique("feed_b");
        post("/api/v1/points", scrape("{\"name\":\"" + a + "\",\"value\":1},{\"name\":\"" + b + "\",\"value\":2}"))
                .statusCode(200);
        String next = given().queryParam("since", cursor).queryParam("limit", 1).when().get("/api/v1/changes").then()
                .statusCode(200)
                .body("events", hasSize(1))
                .body("events[0].id", equalTo(a))
                .body("events[0].deleted", equalTo(false))
                .body("events[0].point.value", equalTo(1.0f))
                .body("more", equalTo(true))
                .extract().path("cursor");
        given().queryParam("since", next).when().get("/api/v1/changes").then()
                .statusCode(200)
                .body("events.id", contains(b))
                .body("more", equalTo(false));
    }

    @Test
    void deletionsAppearInTheFeedAndTrimmedTombstonesExpireOldCursors() {
        String name = unique("short_lived");
        String before = given().when().get("/api/v1/cursor").then().extract().path("cursor");
        post("/api/v1/points", scrape("{\"name\":\"" + name + "\",\"value\":1}")).statusCode(200);
        clock.advance(Duration.ofHours(1));
        given().when().post("/api/v1/admin/gc").then().statusCode(200)
                .body("expiredSeries", greaterThanOrEqualTo(1));
        given().queryParam("since", before).queryParam("limit", 10000).when().get("/api/v1/changes").then()
                .statusCode(200)
                .body("events.findAll { it.id == '" + name + "' }.deleted", contains(true))
                .body("events.findAll { it.id == '" + name + "' }[0]", not(hasKey("point")));
        clock.advance(Duration.ofMinutes(16));
        given().when().post("/api/v1/admin/gc").then().statusCode(200).body("trimmedTombstones", greaterThanOrEqualTo(1));
        problem(given().queryParam("since", before).when().get("/api/v1/changes").then(), 410, "cursor-expired");
    }

    @Test
    void cursorsOfAnotherEpochExpire() {
        problem(given().queryParam("since", new Cursor("0123456789abcdef", 0).encode()).when().get("/api/v1/changes")
                .then(), 410, "cursor-expired");
    }

    @Test
    void badCursorsAndLimitsAreRefused() {
        problem(given().queryParam("since", "garbage!").when().get("/api/v1/changes").then(), 400, "malformed-cursor");
        problem(given().when().get("/api/v1/changes").then(), 400, "validation").body("errors[0].field", equalTo("since"));
        String cursor = given().when().get("/api/v1/cursor").then().extract().path("cursor");
        for (String limit : new String[] {"0", "-5", "abc", "10001", "1e3"}) {
            problem(given().queryParam("since", cursor).queryParam("limit", limit).when().get("/api/v1/changes").then(),
                    400, "validation").body("errors[0].field", equalTo("limit"));
        }
    }

    // ---- locks

    @Test
    void lockLifecycle() {
        String key = unique("backfill") + "/2026-01-01";
        String path = "/api/v1/locks/job/" + key;
        ExtractableResponse<Response> acquired = post(path, "{\"ttl\":\"30s\"}").statusCode(201)
                .body("kind", equalTo("job")).body("key", equalTo(key)).body("acquired", equalTo(true))
                .body("expiresAt", equalTo(clock.instant().plusSeconds(30).toString()))
                .extract();
        String token = acquired.path("token");
        long fence = acquired.<Number>path("fence").longValue();
        assertThat(fence).isPositive();
        problem(post(path, "{\"ttl\":\"5m\"}"), 409, "lock-held")
                .body("acquired", equalTo(false))
                .body("expiresAt", equalTo(clock.instant().plusSeconds(30).toString()));
        post(path, "{\"ttl\":\"1m\",\"token\":\"" + token + "\"}").statusCode(201).body("fence", equalTo(fence));
        given().when().get(path).then().statusCode(200)
                .body("held", equalTo(true)).body("fence", equalTo(fence)).body("$", not(hasKey("token")));
        given().contentType(ContentType.JSON).body("{\"token\":\"" + token + "\",\"ttl\":\"PT2M\"}").when().put(path).then()
                .statusCode(200).body("expiresAt", equalTo(clock.instant().plusSeconds(120).toString()))
                .body("fence", equalTo(fence));
        problem(given().contentType(ContentType.JSON).body("{\"token\":\"other\",\"ttl\":\"1m\"}").when().put(path).then(),
                409, "lock-token-mismatch");
        problem(given().header("Lock-Token", "other").when().delete(path).then(), 409, "lock-token-mismatch");
        problem(given().when().delete(path).then(), 400, "validation").body("errors[0].field", equalTo("Lock-Token"))
                .body("errors[0].message", equalTo("is required"));
        given().header("Lock-Token", token).when().delete(path).then().statusCode(204);
        problem(given().when().get(path).then(), 404, "lock-not-held");
        problem(given().header("Lock-Token", token).when().delete(path).then(), 404, "lock-not-held");
        problem(given().contentType(ContentType.JSON).body("{\"token\":\"" + token + "\",\"ttl\":\"1m\"}").when().put(path)
                .then(), 404, "lock-not-held");
        post(path, "{\"ttl\":\"30s\"}").statusCode(201).body("fence", greaterThan(fence));
    }

    @Test
    void dedupLocksExpire() {
        String path = "/api/v1/locks/dedup/" + unique("event");
        long first = post(path, "{\"ttl\":\"1h30m\"}").statusCode(201).extract().<Number>path("fence").longValue();
        clock.advance(Duration.ofMinutes(90));
        post(path, "{\"ttl\":\"500ms\"}").statusCode(201).body("fence", greaterThan(first));
    }

    @Test
    void lockRequestsAreValidated() {
        problem(post("/api/v1/locks/mutex/k", "{\"ttl\":\"30s\"}"), 404, "not-found");
        problem(given().when().get("/api/v1/locks/mutex/k").then(), 404, "not-found");
        // The store's own leases (the GC's) are out of every client's reach.
        problem(post("/api/v1/locks/store/gc", "{\"ttl\":\"30s\"}"), 404, "not-found");
        problem(post("/api/v1/locks/job/" + "k".repeat(257), "{\"ttl\":\"30s\"}"), 400, "validation")
                .body("errors[0].field", equalTo("key"));
        problem(given().urlEncodingEnabled(false).contentType(ContentType.JSON).body("{\"ttl\":\"30s\"}")
                .when().post("/api/v1/locks/job/tab%09key").then(), 400, "validation")
                .body("errors[0].field", equalTo("key"));
        for (String ttl : new String[] {"\"forever\"", "\"30\"", "\"-5s\"", "\"0s\"", "\"25h\"", "\"P1Y\"", "30",
                "\"1h 30m\"", "\"\""}) {
            problem(post("/api/v1/locks/job/" + unique("k"), "{\"ttl\":" + ttl + "}"), 400, "validation")
                    .body("errors[0].field", equalTo("ttl"));
        }
        problem(post("/api/v1/locks/job/" + unique("k"), "{}"), 400, "validation").body("errors[0].field", equalTo("ttl"));
        problem(given().contentType(ContentType.JSON).when().post("/api/v1/locks/job/" + unique("k")).then(), 400,
                "validation");
        problem(post("/api/v1/locks/job/k", "{\"ttl\":\"30s\",\"owner\":\"x\"}"), 400, "malformed-request");
        problem(post("/api/v1/locks/job/k", "{\"ttl\":\"30s\",\"token\":\"has space\"}"), 400, "validation")
                .body("errors[0].field", equalTo("token"));
        problem(given().contentType(ContentType.TEXT).body("30s").when().post("/api/v1/locks/job/k").then(), 415,
                "unsupported-media-type");
    }

    // ---- GET /metrics

    static final String PROMETHEUS_ACCEPT = "application/openmetrics-text;version=1.0.0,"
            + "application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    @Test
    void metricsServesTheStoredSeriesInBothFormats() {
        String name = unique("exposed");
        post("/api/v1/points", "{\"role\":\"leader\",\"source\":\"leader_scrape\",\"points\":[{\"name\":\"" + name
                + "_total\",\"labels\":{\"code\":\"200\"},\"value\":7}],\"families\":{\"" + name
                + "\":{\"type\":\"counter\",\"help\":\"Exposed things\"}}}").statusCode(200);
        cache.refresh();
        given().when().get("/metrics").then().statusCode(200)
                .contentType("text/plain; version=0.0.4; charset=utf-8")
                .body(containsString("# HELP " + name + "_total Exposed things\n# TYPE " + name + "_total counter\n"
                        + name + "_total{code=\"200\"} 7\n"));
        given().accept(PROMETHEUS_ACCEPT).when().get("/metrics").then().statusCode(200)
                .contentType("application/openmetrics-text; version=1.0.0; charset=utf-8")
                .body(containsString("# TYPE " + name + " counter\n" + name + "_total{code=\"200\"} 7\n"))
                .body(org.hamcrest.Matchers.endsWith("# EOF\n"));
        given().header("Accept-Encoding", "gzip").when().get("/metrics").then().statusCode(200)
                .header("Content-Encoding", "gzip")
                .body(containsString(name + "_total{code=\"200\"} 7"));
        given().queryParam("timestamps", "true").when().get("/metrics").then().statusCode(200)
                .body(containsString(name + "_total{code=\"200\"} 7 " + clock.millis() + "\n"));
    }

    @Test
    void badMetricsParametersAreRefused() {
        problem(given().queryParam("timestamps", "maybe").when().get("/metrics").then(), 400, "validation")
                .body("errors[0].field", equalTo("timestamps"));
        problem(given().queryParam("name", "a{b=\"c\"}").when().get("/api/v1/series").then(), 400, "validation")
                .body("errors[0].field", equalTo("name"));
    }

    // ---- admin, health, telemetry, OpenAPI

    @Test
    void gcOnDemandReportsWhatItRemoved() {
        given().when().post("/api/v1/admin/gc").then().statusCode(200)
                .body("expiredSeries", notNullValue()).body("expiredLocks", notNullValue())
                .body("trimmedTombstones", notNullValue());
    }

    @Test
    void probesAreUp() {
        cache.refresh();
        Management.given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        Management.given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.find { it.name == 'store-backend' }.data.backend", equalTo(backend()))
                .body("checks.find { it.name == 'exposition-cache' }.status", equalTo("UP"));
        Management.given().when().get("/q/health/started").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void ownMetricsAreExported() {
        post("/api/v1/points", scrape("{\"name\":\"" + unique("telemetry") + "\",\"value\":1}")).statusCode(200);
        post("/api/v1/locks/job/" + unique("telemetry"), "{\"ttl\":\"1s\"}").statusCode(201);
        given().when().post("/api/v1/admin/gc").then().statusCode(200);
        Management.given().when().get("/q/metrics").then().statusCode(200)
                .body(containsString("store_points_written_total{outcome=\"applied\",source=\"leader_scrape\"}"))
                .body(containsString("store_series_live{backend=\"" + backend() + "\"}"))
                .body(containsString("store_lock_acquires_total{kind=\"job\",outcome=\"acquired\"}"))
                .body(containsString("store_gc_runs_total"))
                .body(containsString("store_gc_removed_total{what=\"series\"}"))
                .body(containsString("store_backend_latency_seconds_count{backend=\"" + backend() + "\",operation=\"apply\"}"));
    }

    @Test
    void theOpenApiDocumentDescribesEveryEndpointAndRefusal() {
        Management.given().queryParam("format", "json").when().get("/q/openapi").then().statusCode(200)
                .body("paths", hasKey("/api/v1/points"))
                .body("paths", hasKey("/api/v1/series"))
                .body("paths", hasKey("/api/v1/cursor"))
                .body("paths", hasKey("/api/v1/changes"))
                .body("paths", hasKey("/api/v1/locks/{kind}/{key}"))
                .body("paths", hasKey("/api/v1/admin/gc"))
                .body("paths", hasKey("/api/v1/leases/{name}"))
                .body("paths.'/api/v1/points'.post.responses.keySet()",
                        contains("200", "400", "401", "403", "409", "413", "415", "507", "503"))
                .body("paths.'/api/v1/leases/{name}'.post.responses.keySet()",
                        contains("201", "400", "403", "409", "401", "503"))
                .body("paths.'/api/v1/leases/{name}'.get.parameters.name", hasItems("wait", "fence"))
                .body("components.schemas.Problem.properties", hasKey("holder"))
                .body("paths", hasKey("/api/v1/changes/stream"))
                .body("paths.'/api/v1/changes'.get.responses.keySet()", contains("200", "400", "410", "503", "401", "403"))
                .body("paths.'/api/v1/changes'.get.parameters.name", hasItems("since", "limit", "wait"))
                .body("paths.'/api/v1/changes/stream'.get.responses.keySet()", contains("200", "400", "503", "401", "403"))
                .body("paths.'/api/v1/changes/stream'.get.responses.'200'.content", hasKey("text/event-stream"))
                .body("paths.'/api/v1/locks/{kind}/{key}'.post.responses.keySet()", contains("201", "400", "404", "409", "401", "403", "503"))
                .body("paths.'/api/v1/locks/{kind}/{key}'.delete.responses.keySet()", contains("204", "400", "404", "403", "409", "401", "503"))
                .body("paths.'/api/v1/cursor'.get.responses.'503'.headers", hasKey("Retry-After"))
                .body("paths.'/api/v1/points'.post.responses.'400'.content", hasKey("application/problem+json"))
                .body("components.schemas", hasKey("Problem"))
                .body("components.schemas.Problem.properties", hasKey("errors"));
    }

    @Test
    void emptyResultsAreEmptyLists() {
        given().queryParam("name", unique("absent")).when().get("/api/v1/series").then().statusCode(200)
                .body("series", empty());
        String cursor = given().when().get("/api/v1/cursor").then().extract().path("cursor");
        given().queryParam("since", cursor).when().get("/api/v1/changes").then().statusCode(200)
                .body("events", empty()).body("more", equalTo(false)).body("cursor", equalTo(cursor))
                .body("point", nullValue());
    }
}
