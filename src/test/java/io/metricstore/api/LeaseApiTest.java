package io.metricstore.api;

import static io.metricstore.api.ApiTest.batch;
import static io.metricstore.api.ApiTest.post;
import static io.metricstore.api.ApiTest.problem;
import static io.metricstore.api.ApiTest.unique;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;

import io.metricstore.Management;
import io.metricstore.store.MetricStore;
import io.metricstore.store.MutableClock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Leases and fenced writes over HTTP: every endpoint and refusal of {@code /leases}, {@code lease} and {@code lock} on
 * {@code POST /points}, the scheduled GC beside a client's {@code job/gc}, and the lease telemetry. Each test uses
 * lease names and series of its own.
 */
@QuarkusTest
public class LeaseApiTest {

    @Inject
    MutableClock clock;

    @Inject
    MetricStore store;

    private static ValidatableResponse put(String path, String json) {
        return given().contentType(ContentType.JSON).body(json).when().put(path).then();
    }

    private static String underLease(String name, String lease, String token) {
        return "{\"role\":\"leader\",\"source\":\"leader_scrape\",\"points\":[{\"name\":\"" + name + "\",\"value\":1}],"
                + "\"lease\":{\"name\":\"" + lease + "\",\"token\":\"" + token + "\"}}";
    }

    @Test
    void leaseLifecycle() {
        String name = unique("exporter") + "/leader";
        String path = "/api/v1/leases/" + name;
        given().when().get(path).then().statusCode(200).body("name", equalTo(name)).body("held", equalTo(false))
                .body("$", not(hasKey("holder"))).body("$", not(hasKey("fence"))).body("$", not(hasKey("expiresAt")));
        long fence = post(path, "{\"ttl\":\"15s\",\"token\":\"pod-a-1\",\"holder\":\"pod-a\"}").statusCode(201)
                .body("name", equalTo(name)).body("holder", equalTo("pod-a")).body("token", equalTo("pod-a-1"))
                .body("expiresAt", equalTo(clock.instant().plusSeconds(15).toString()))
                .extract().<Number>path("fence").longValue();
        given().when().get(path).then().statusCode(200).body("held", equalTo(true)).body("holder", equalTo("pod-a"))
                .body("fence", equalTo(fence)).body("$", not(hasKey("token")));
        problem(post(path, "{\"ttl\":\"15s\",\"holder\":\"pod-b\"}"), 409, "lease-held")
                .body("holder", equalTo("pod-a")).body("fence", equalTo(fence))
                .body("expiresAt", equalTo(clock.instant().plusSeconds(15).toString()));
        post(path, "{\"ttl\":\"20s\",\"token\":\"pod-a-1\"}").statusCode(201).body("fence", equalTo(fence))
                .body("holder", equalTo("pod-a"));
        put(path, "{\"token\":\"pod-a-1\",\"ttl\":\"PT30S\"}").statusCode(200).body("fence", equalTo(fence))
                .body("expiresAt", equalTo(clock.instant().plusSeconds(30).toString()));
        problem(put(path, "{\"token\":\"other\",\"ttl\":\"15s\"}"), 409, "lease-token-mismatch");
        problem(given().header("Lease-Token", "other").when().delete(path).then(), 409, "lease-token-mismatch");
        problem(given().when().delete(path).then(), 400, "validation").body("errors[0].field", equalTo("Lease-Token"));
        given().header("Lease-Token", "pod-a-1").when().delete(path).then().statusCode(204);
        given().when().get(path).then().statusCode(200).body("held", equalTo(false));
        problem(given().header("Lease-Token", "pod-a-1").when().delete(path).then(), 404, "lease-not-held");
        problem(put(path, "{\"token\":\"pod-a-1\",\"ttl\":\"15s\"}"), 404, "lease-not-held");
        post(path, "{\"ttl\":\"15s\"}").statusCode(201).body("fence", greaterThan(fence))
                .body("holder", equalTo("anonymous"));
    }

    @Test
    void anExpiredLeaseIsFree() {
        String path = "/api/v1/leases/" + unique("short");
        post(path, "{\"ttl\":\"1s\"}").statusCode(201);
        clock.advance(Duration.ofSeconds(1));
        given().when().get(path).then().statusCode(200).body("held", equalTo(false));
    }

    @Test
    void leaseRequestsAreValidated() {
        String path = "/api/v1/leases/" + unique("lease");
        problem(post(path, "{}"), 400, "validation").body("errors[0].field", equalTo("ttl"));
        problem(post(path, "{\"ttl\":\"25h\"}"), 400, "validation").body("errors[0].message",
                containsString("store.locks.max-ttl"));
        problem(post(path, "{\"ttl\":\"soon\"}"), 400, "validation").body("errors[0].field", equalTo("ttl"));
        problem(post(path, "{\"ttl\":\"15s\",\"holder\":\"\"}"), 400, "validation")
                .body("errors[0].field", equalTo("holder"));
        problem(post(path, "{\"ttl\":\"15s\",\"token\":\"has space\"}"), 400, "validation")
                .body("errors[0].field", equalTo("token"));
        problem(post(path, "{\"ttl\":\"15s\",\"owner\":\"x\"}"), 400, "malformed-request");
        problem(post("/api/v1/leases/" + "n".repeat(257), "{\"ttl\":\"15s\"}"), 400, "validation")
                .body("errors[0].field", equalTo("name"));
        problem(given().when().get(path + "?fence=abc").then(), 400, "validation")
                .body("errors[0].field", equalTo("fence"));
        problem(given().when().get(path + "?fence=9999999999999999999").then(), 400, "validation")
                .body("errors[0].field", equalTo("fence"));
        problem(given().when().get(path + "?wait=1s&fence=9223372036854775808").then(), 400, "validation")
                .body("errors[0].field", equalTo("fence"));
        problem(given().when().get(path + "?wait=31s").then(), 400, "validation")
                .body("errors[0].field", equalTo("wait"));
        problem(given().contentType(ContentType.TEXT).body("15s").when().post(path).then(), 415,
                "unsupported-media-type");
    }

    @Test
    void aBatchUnderTheLeaseIsWrittenWhileItIsHeldAndRefusedWholeOnceItIsNot() {
        String lease = unique("leader");
        String series = unique("up");
        long fence = post("/api/v1/leases/" + lease, "{\"ttl\":\"15s\",\"token\":\"a\",\"holder\":\"pod-a\"}")
                .statusCode(201).extract().<Number>path("fence").longValue();
        post("/api/v1/points", underLease(series, lease, "a")).statusCode(200).body("applied", equalTo(1))
                .body("fence", equalTo(fence));
        clock.advance(Duration.ofSeconds(15));
        problem(post("/api/v1/points", underLease(series + "_late", lease, "a")), 409, "not-leader")
                .body("$", not(hasKey("holder"))).body("$", not(hasKey("fence")));
        long next = post("/api/v1/leases/" + lease, "{\"ttl\":\"15s\",\"token\":\"b\",\"holder\":\"pod-b\"}")
                .statusCode(201).extract().<Number>path("fence").longValue();
        problem(post("/api/v1/points", underLease(series + "_late", lease, "a")), 409, "not-leader")
                .body("holder", equalTo("pod-b")).body("fence", equalTo(next))
                .body("expiresAt", equalTo(clock.instant().plusSeconds(15).toString()));
        given().when().get("/api/v1/series?name=" + series + "_late").then().statusCode(200)
                .body("series.size()", equalTo(0));
        post("/api/v1/points", batch("leader", "leader_scrape", "{\"name\":\"" + series + "\",\"value\":2}"))
                .statusCode(200).body("$", not(hasKey("fence")));
    }

    @Test
    void aBackfillUnderItsLockIsRefusedOnceTheLockIsLost() {
        String key = unique("orders-backfill");
        String series = unique("orders");
        post("/api/v1/locks/job/" + key, "{\"ttl\":\"5m\",\"token\":\"w7\"}").statusCode(201);
        String body = "{\"role\":\"follower\",\"source\":\"worker_backfill\",\"points\":[{\"name\":\"" + series
                + "\",\"value\":1}],\"lock\":{\"kind\":\"job\",\"key\":\"" + key + "\",\"token\":\"w7\"}}";
        post("/api/v1/points", body).statusCode(200).body("fence", greaterThan(0L));
        given().header("Lock-Token", "w7").when().delete("/api/v1/locks/job/" + key).then().statusCode(204);
        problem(post("/api/v1/points", body), 409, "lock-lost").body("kind", equalTo("job")).body("key", equalTo(key));
    }

    @Test
    void aLeaseGoesWithScrapesOnlyAndALockWithBackfillsOnly() {
        problem(post("/api/v1/points", "{\"role\":\"leader\",\"source\":\"worker_backfill\",\"points\":[],"
                + "\"lease\":{\"name\":\"l\",\"token\":\"t\"}}"), 400, "validation")
                .body("errors[0].field", equalTo("lease"));
        problem(post("/api/v1/points", "{\"role\":\"leader\",\"source\":\"leader_scrape\",\"points\":[],"
                + "\"lock\":{\"kind\":\"job\",\"key\":\"k\",\"token\":\"t\"}}"), 400, "validation")
                .body("errors[0].field", equalTo("lock"));
        problem(post("/api/v1/points", "{\"role\":\"leader\",\"source\":\"worker_backfill\",\"points\":[],"
                + "\"lock\":{\"kind\":\"lease\",\"key\":\"k\",\"token\":\"t\"}}"), 400, "validation")
                .body("errors[0].field", equalTo("lock.kind"));
        problem(post("/api/v1/points", "{\"role\":\"leader\",\"source\":\"leader_scrape\",\"points\":[],"
                + "\"lease\":{\"name\":\"l\",\"token\":\"t\",\"fence\":1}}"), 400, "malformed-request");
    }

    /** The scheduled GC elects itself with a lease of the store's own: a client holding {@code job/gc} changes nothing. */
    @Test
    void theScheduledGcRunsWhileAClientHoldsJobGc() {
        post("/api/v1/locks/job/gc", "{\"ttl\":\"1h\",\"token\":\"client-gc\"}").statusCode(201);
        try {
            assertThat(store.scheduledGc()).isPresent();
        } finally {
            given().header("Lock-Token", "client-gc").when().delete("/api/v1/locks/job/gc").then().statusCode(204);
        }
    }

    @Test
    void leaseChangesAndFencedRefusalsAreCounted() {
        String lease = unique("counted");
        post("/api/v1/leases/" + lease, "{\"ttl\":\"15s\",\"token\":\"a\"}").statusCode(201);
        problem(post("/api/v1/points", underLease(unique("x"), lease, "wrong")), 409, "not-leader");
        Management.given().when().get("/q/metrics").then().statusCode(200)
                .body(containsString("store_lease_changes_total{name=\"" + lease + "\"} 1.0"))
                .body(containsString("store_lease_fence{name=\"" + lease + "\"}"))
                .body(containsString("store_fenced_refusals_total{reason=\"not-leader\"}"));
    }
}
