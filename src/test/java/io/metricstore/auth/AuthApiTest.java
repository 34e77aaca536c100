package io.metricstore.auth;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.metricstore.Management;
import io.metricstore.api.ApiTest;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.api.Test;

/**
 * Authentication on, through HTTP, with real credentials: static tokens and service-account JWTs signed with a
 * generated key (memory backend, key set from a file; {@link RedisAuthApiTest}: Redis, key set over HTTP).
 */
@QuarkusTest
@TestProfile(AuthProfile.class)
public class AuthApiTest {

    /** One call of the API and the role it needs. */
    record Call(String method, String path, String body, String header, String role) {

        Response send(String bearer) {
            RequestSpecification request = given().contentType(ContentType.JSON);
            if (bearer != null) {
                request.header("Authorization", "Bearer " + bearer);
            }
            if (header != null) {
                request.header(path.startsWith("/api/v1/leases/") ? "Lease-Token" : "Lock-Token", header);
            }
            if (body != null) {
                request.body(body);
            }
            return request.when().request(method, path);
        }
    }

    static String token(String identity) {
        return AuthFixture.TOKENS.get(identity);
    }

    /** Every endpoint of the API port, with the role SPEC §4 gives it. */
    static List<Call> everyEndpoint() {
        String cursor = given().header("Authorization", "Bearer " + token("admin-bot")).when().get("/api/v1/cursor")
                .then().statusCode(200).extract().path("cursor");
        String lock = "/api/v1/locks/job/" + ApiTest.unique("auth");
        String lease = "/api/v1/leases/" + ApiTest.unique("auth");
        return List.of(
                new Call("POST", "/api/v1/points", ApiTest.scrape("{\"name\":\"" + ApiTest.unique("auth")
                        + "\",\"value\":1}"), null, Roles.WRITER),
                new Call("GET", "/api/v1/series", null, null, Roles.READER),
                new Call("GET", "/api/v1/cursor", null, null, Roles.READER),
                new Call("GET", "/api/v1/changes?since=" + cursor, null, null, Roles.READER),
                new Call("POST", lock, "{\"ttl\":\"1s\"}", null, Roles.LOCKER),
                new Call("PUT", lock, "{\"token\":\"t\",\"ttl\":\"1s\"}", null, Roles.LOCKER),
                new Call("DELETE", lock, null, "t", Roles.LOCKER),
                new Call("GET", lock, null, null, Roles.READER),
                new Call("POST", lease, "{\"ttl\":\"1s\"}", null, Roles.LOCKER),
                new Call("PUT", lease, "{\"token\":\"t\",\"ttl\":\"1s\"}", null, Roles.LOCKER),
                new Call("DELETE", lease, null, "t", Roles.LOCKER),
                new Call("GET", lease, null, null, Roles.READER),
                new Call("GET", lease + "?wait=1s&fence=1", null, null, Roles.READER),
                new Call("POST", "/api/v1/admin/gc", null, null, Roles.ADMIN),
                new Call("GET", "/metrics", null, null, Roles.READER));
    }

    @Test
    void eachRoleIsAllowedExactlyItsEndpointsAndAdminAll() {
        Map<String, String> roleOf = Map.of("reader-bot", Roles.READER, "writer-bot", Roles.WRITER,
                "locker-bot", Roles.LOCKER, "admin-bot", Roles.ADMIN, "nobody", "none");
        List<String> checked = new ArrayList<>();
        for (Call call : everyEndpoint()) {
            roleOf.forEach((identity, role) -> {
                Response response = call.send(token(identity));
                String what = identity + " " + call.method() + " " + call.path();
                if (role.equals(call.role()) || role.equals(Roles.ADMIN)) {
                    assertAllowed(response, what);
                } else {
                    ApiTest.problem(response.then(), 403, "forbidden").body("role", equalTo(call.role()));
                }
                checked.add(what);
            });
        }
        assertThat(checked).hasSize(75);
    }

    @Test
    void withoutATokenEveryEndpointAnswers401WithABearerChallenge() {
        for (Call call : everyEndpoint()) {
            ApiTest.problem(call.send(null).then(), 401, "unauthenticated")
                    .header("WWW-Authenticate", startsWith("Bearer"));
        }
    }

    @Test
    void aServiceAccountTokenAuthenticatesWithItsGrantedRoles() {
        String jwt = AuthFixture.ISSUER.token("apps", "exporter");
        List<Call> calls = everyEndpoint();
        for (Call call : calls) {
            Response response = call.send(jwt);
            if (call.role().equals(Roles.ADMIN)) {
                ApiTest.problem(response.then(), 403, "forbidden").body("role", equalTo(Roles.ADMIN));
            } else {
                assertAllowed(response, call.method() + " " + call.path());
            }
        }
    }

    @Test
    void everyBadCredentialIs401() {
        long now = Instant.now().getEpochSecond();
        JwtClaims audience = Issuer.claims("apps", "exporter");
        audience.setAudience("https://kubernetes.default.svc.cluster.local");
        JwtClaims issuer = Issuer.claims("apps", "exporter");
        issuer.setIssuer("https://elsewhere.example");
        JwtClaims expired = Issuer.claims("apps", "exporter");
        expired.setIssuedAt(NumericDate.fromSeconds(now - 1200));
        expired.setNotBefore(NumericDate.fromSeconds(now - 1200));
        expired.setExpirationTime(NumericDate.fromSeconds(now - 600));
        JwtClaims early = Issuer.claims("apps", "exporter");
        early.setNotBefore(NumericDate.fromSeconds(now + 600));
        Map<String, String> refused = Map.of(
                "wrong audience", AuthFixture.ISSUER.sign(audience),
                "wrong issuer", AuthFixture.ISSUER.sign(issuer),
                "expired", AuthFixture.ISSUER.sign(expired),
                "not yet valid", AuthFixture.ISSUER.sign(early),
                "wrong signature", AuthFixture.ISSUER.forged(Issuer.claims("apps", "exporter")),
                "alg none", Issuer.unsigned(Issuer.claims("apps", "exporter")),
                "garbage", "garbage",
                "an unknown static token", "0123456789abcdef",
                "a token's hash", StaticTokensTest.sha256(token("admin-bot")));
        refused.forEach((why, bearer) -> assertThat(ApiTest.problem(given().header("Authorization", "Bearer " + bearer)
                .when().get("/api/v1/cursor").then(), 401, "unauthenticated").extract().<String>path("detail"))
                .as(why).isNotBlank().doesNotContain(bearer));
    }

    @Test
    void aLockIsBoundToTheIdentityThatTookIt() {
        String path = "/api/v1/locks/job/" + ApiTest.unique("owned");
        String locker = token("locker-bot");
        String other = AuthFixture.ISSUER.token("apps", "exporter");
        long fence = as(locker).body("{\"ttl\":\"1m\",\"token\":\"mine\"}").post(path).then().statusCode(201)
                .extract().<Number>path("fence").longValue();
        ApiTest.problem(as(other).body("{\"token\":\"mine\",\"ttl\":\"5m\"}").put(path).then(), 403, "not-owner");
        ApiTest.problem(as(other).header("Lock-Token", "mine").delete(path).then(), 403, "not-owner");
        ApiTest.problem(as(other).body("{\"ttl\":\"1m\",\"token\":\"mine\"}").post(path).then(), 403, "not-owner");
        ApiTest.problem(as(other).body("{\"ttl\":\"1m\",\"token\":\"theirs\"}").post(path).then(), 409, "lock-held");
        as(other).get(path).then().statusCode(200).body("fence", equalTo(fence));
        as(locker).body("{\"ttl\":\"1m\",\"token\":\"mine\"}").post(path).then().statusCode(201)
                .body("fence", equalTo(fence));
        as(locker).header("Lock-Token", "mine").delete(path).then().statusCode(204);
    }

    @Test
    void aLeaseIsBoundToTheIdentityThatTookIt() {
        String path = "/api/v1/leases/" + ApiTest.unique("owned");
        String locker = token("locker-bot");
        String other = AuthFixture.ISSUER.token("apps", "exporter");
        as(locker).body("{\"ttl\":\"1m\",\"token\":\"mine\"}").post(path).then().statusCode(201)
                .body("holder", equalTo("locker-bot"));
        ApiTest.problem(as(other).body("{\"token\":\"mine\",\"ttl\":\"5m\"}").put(path).then(), 403, "not-owner");
        ApiTest.problem(as(other).header("Lease-Token", "mine").delete(path).then(), 403, "not-owner");
        ApiTest.problem(as(other).body("{\"ttl\":\"1m\",\"token\":\"mine\"}").post(path).then(), 403, "not-owner");
        ApiTest.problem(as(other).body("{\"ttl\":\"1m\"}").post(path).then(), 409, "lease-held")
                .body("holder", equalTo("locker-bot"));
        as(locker).header("Lease-Token", "mine").delete(path).then().statusCode(204);
    }

    /** With authentication on, a fenced batch is written only by the identity that holds its lease. */
    @Test
    void onlyTheIdentityHoldingTheLeaseWritesUnderIt() {
        String lease = ApiTest.unique("leader");
        as(token("admin-bot")).body("{\"ttl\":\"1m\",\"token\":\"admins\"}").post("/api/v1/leases/" + lease).then()
                .statusCode(201);
        String batch = "{\"role\":\"leader\",\"source\":\"leader_scrape\",\"points\":[{\"name\":\""
                + ApiTest.unique("fenced") + "\",\"value\":1}],\"lease\":{\"name\":\"" + lease
                + "\",\"token\":\"admins\"}}";
        ApiTest.problem(as(token("writer-bot")).body(batch).post("/api/v1/points").then(), 409, "not-leader")
                .body("holder", equalTo("admin-bot"));
        as(token("admin-bot")).body(batch).post("/api/v1/points").then().statusCode(200).body("applied", equalTo(1));
    }

    /**
     * SPEC §2 pins the order of refusals of {@code POST /points}: the body's own errors (400) before the caller's
     * identity and role (401/403), then the write guard (403).
     */
    @Test
    void aBatchsOwnErrorsComeBeforeTheCallersIdentityAndRole() {
        String invalid = ApiTest.scrape("{\"name\":\"bad name\",\"value\":1}");
        String valid = ApiTest.scrape("{\"name\":\"" + ApiTest.unique("order") + "\",\"value\":1}");
        ApiTest.problem(given().contentType(ContentType.JSON).body(invalid).post("/api/v1/points").then(), 400,
                "validation");
        ApiTest.problem(given().contentType(ContentType.JSON).body("{\"role\":").post("/api/v1/points").then(), 400,
                "malformed-request");
        ApiTest.problem(given().contentType(ContentType.JSON).body(valid).post("/api/v1/points").then(), 401,
                "unauthenticated").header("WWW-Authenticate", startsWith("Bearer"));
        ApiTest.problem(as("garbage").body(valid).post("/api/v1/points").then(), 401, "unauthenticated");
        ApiTest.problem(as(token("reader-bot")).body(invalid).post("/api/v1/points").then(), 400, "validation");
        ApiTest.problem(as(token("reader-bot")).body(valid).post("/api/v1/points").then(), 403, "forbidden")
                .body("role", equalTo(Roles.WRITER));
        ApiTest.problem(as(token("writer-bot")).body(valid.replace("\"leader\",", "\"follower\","))
                .post("/api/v1/points").then(), 403, "write-forbidden");
    }

    @Test
    void theAuditLogHasALinePerRefusalAdminCallAndLockHolderChangeWithoutTokens() {
        List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                lines.add(record.getMessage().formatted(record.getParameters() == null ? new Object[0]
                        : record.getParameters()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger audit = Logger.getLogger("io.metricstore.audit");
        audit.addHandler(capture);
        try {
            String key = ApiTest.unique("audited");
            String locker = token("locker-bot");
            as(locker).body("{\"ttl\":\"1m\",\"token\":\"audit-token\"}").post("/api/v1/locks/job/" + key).then()
                    .statusCode(201);
            as(locker).header("Lock-Token", "audit-token").delete("/api/v1/locks/job/" + key).then().statusCode(204);
            as(token("admin-bot")).post("/api/v1/admin/gc").then().statusCode(200);
            given().header("Authorization", "Bearer wrong").get("/api/v1/cursor").then().statusCode(401);
            as(token("reader-bot")).post("/api/v1/admin/gc").then().statusCode(403);
        } finally {
            audit.removeHandler(capture);
        }
        assertThat(lines).anyMatch(l -> l.matches("identity=locker-bot action=lock.acquire key=job/audited_\\w+ "
                        + "outcome=acquired fence=\\d+"))
                .anyMatch(l -> l.matches("identity=locker-bot action=lock.release key=job/audited_\\w+ outcome=released"))
                .anyMatch(l -> l.startsWith("identity=admin-bot action=admin.gc key=- outcome=ran"))
                .anyMatch(l -> l.startsWith("identity=- action=authenticate key=/api/v1/cursor outcome=refused"))
                .anyMatch(l -> l.startsWith("identity=reader-bot action=authorize key=\"POST /api/v1/admin/gc\" "
                        + "outcome=refused reason=\"needs role admin\""))
                .noneMatch(l -> l.contains("audit-token") || l.contains(token("locker-bot")) || l.contains("wrong"));
    }

    @Test
    void probesAndTelemetryNeedNoTokenAndLiveOnlyOnTheManagementPort() {
        Management.given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        Management.given().when().get("/q/metrics").then().statusCode(200);
        Management.given().queryParam("format", "json").when().get("/q/openapi").then().statusCode(200);
        ValidatableResponse onApiPort = given().when().get("/q/health/ready").then();
        onApiPort.statusCode(404);
    }

    /**
     * SPEC §4: a Kubernetes identity is {@code system:serviceaccount:<namespace>:<name>}. A token from the issuer
     * whose subject is anything else must not become that identity, least of all one of the static tokens' identities
     * (here admin-bot, which holds admin).
     */
    @Test
    void aJwtWhoseSubjectIsNotAServiceAccountDoesNotBecomeAStaticIdentity() {
        JwtClaims claims = Issuer.claims("apps", "exporter");
        claims.setSubject("admin-bot");
        ApiTest.problem(as(AuthFixture.ISSUER.sign(claims)).post("/api/v1/admin/gc").then(), 401, "unauthenticated");
    }

    /** A signed token whose expiry does not fit in milliseconds is refused or accepted, never a 500. */
    @Test
    void aJwtWithAnExpiryBeyondMillisecondRangeIsNot500() {
        JwtClaims claims = Issuer.claims("apps", "exporter");
        claims.setExpirationTime(NumericDate.fromSeconds(Long.MAX_VALUE / 100));
        int status = as(AuthFixture.ISSUER.sign(claims)).get("/api/v1/cursor").then().extract().statusCode();
        assertThat(status).as("status for exp=Long.MAX_VALUE/100 s").isIn(200, 401);
    }

    /** Past authentication and the role check: any answer but 401 and 403 forbidden (not-owner is the store's). */
    private static void assertAllowed(Response response, String what) {
        assertThat(response.statusCode()).as(what + " is allowed").isNotEqualTo(401);
        if (response.statusCode() == 403) {
            assertThat(response.<String>path("type")).as(what + " is allowed")
                    .isEqualTo("urn:metric-store:problem:not-owner");
        }
    }

    private static RequestSpecification as(String bearer) {
        return given().contentType(ContentType.JSON).header("Authorization", "Bearer " + bearer);
    }
}
