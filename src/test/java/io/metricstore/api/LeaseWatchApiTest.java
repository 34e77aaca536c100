package io.metricstore.api;

import static io.metricstore.api.ApiTest.problem;
import static io.metricstore.api.ApiTest.unique;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;

import io.metricstore.Eventually;
import io.metricstore.store.MutableClock;
import io.metricstore.watch.WaitSlots;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Long-polls on leases over HTTP (SPEC §3, {@code GET /leases/{name}?wait=&fence=}) on the memory backend. A wait of
 * 5 s ends with the state then, which after a resign or a takeover is the state the wake-up answers too: an answer
 * within 4 s is what shows that the change woke the poll.
 */
@QuarkusTest
class LeaseWatchApiTest {

    private static final Duration SOON = Duration.ofSeconds(10);
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Inject
    WaitSlots slots;

    @Inject
    MutableClock clock;

    private static ExtractableResponse<Response> campaign(String name, String token) {
        return given().contentType(ContentType.JSON)
                .body("{\"ttl\":\"1m\",\"token\":\"" + token + "\",\"holder\":\"" + token + "-pod\"}")
                .post("/api/v1/leases/" + name).then().statusCode(201).extract();
    }

    /** A long-poll sent without waiting for its answer. */
    private static CompletableFuture<HttpResponse<String>> longPoll(String name, String query) {
        return HTTP.sendAsync(HttpRequest.newBuilder(URI.create(RestAssured.baseURI + ":" + RestAssured.port
                + "/api/v1/leases/" + name + "?" + query)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonPath woken(CompletableFuture<HttpResponse<String>> poll) throws Exception {
        HttpResponse<String> answer = poll.get(4, TimeUnit.SECONDS);
        assertThat(answer.statusCode()).isEqualTo(200);
        return JsonPath.from(answer.body());
    }

    private void awaitWaiting(int count) {
        Eventually.until(() -> slots.taken() == count, SOON, count + " waiters");
    }

    @Test
    void aResignByAnotherRequestWakesALongPollOnItsFence() throws Exception {
        String name = unique("leader");
        long fence = campaign(name, "a").<Number>path("fence").longValue();
        int before = slots.taken();
        CompletableFuture<HttpResponse<String>> poll = longPoll(name, "wait=5s&fence=" + fence);
        awaitWaiting(before + 1);
        assertThat(poll).isNotDone();

        given().header("Lease-Token", "a").delete("/api/v1/leases/" + name).then().statusCode(204);

        JsonPath free = woken(poll);
        assertThat(free.getMap("$")).isEqualTo(Map.of("name", name, "held", false));
        awaitWaiting(before);
    }

    @Test
    void aCampaignByAnotherTokenWakesALongPollOnTheDeposedFence() throws Exception {
        String name = unique("leader");
        long deposed = campaign(name, "a").<Number>path("fence").longValue();
        int before = slots.taken();
        CompletableFuture<HttpResponse<String>> poll = longPoll(name, "wait=5s&fence=" + deposed);
        awaitWaiting(before + 1);
        // A's lease runs out by the application's clock: unsignalled, and its expiry timer is a minute away.
        clock.advance(Duration.ofMinutes(2));
        assertThat(poll).isNotDone();

        ExtractableResponse<Response> successor = campaign(name, "b");

        JsonPath held = woken(poll);
        assertThat(held.getString("name")).isEqualTo(name);
        assertThat(held.getBoolean("held")).isTrue();
        assertThat(held.getString("holder")).isEqualTo("b-pod");
        assertThat(held.getLong("fence")).isEqualTo(successor.<Number>path("fence").longValue()).isGreaterThan(deposed);
        assertThat(held.getString("expiresAt")).isEqualTo(successor.<String>path("expiresAt"));
        assertThat(held.getMap("$")).doesNotContainKey("token");
        awaitWaiting(before);
    }

    @Test
    void aLongPollOnAnotherFenceAnswersAtOnce() {
        String name = unique("leader");
        long fence = campaign(name, "a").<Number>path("fence").longValue();
        JsonPath state = given().queryParam("wait", "30s").queryParam("fence", fence + 1).get("/api/v1/leases/" + name)
                .then().statusCode(200).body("held", equalTo(true)).extract().jsonPath();
        assertThat(state.getLong("fence")).isEqualTo(fence);
    }

    @Test
    void aLongPollWithoutChangeAnswersTheStateAtTheEndOfItsWait() {
        String name = unique("leader");
        JsonPath grant = campaign(name, "a").jsonPath();
        JsonPath state = given().queryParam("wait", "1s").get("/api/v1/leases/" + name).then()
                .statusCode(200)
                .contentType(ContentType.JSON)
                .body("name", equalTo(name))
                .body("held", equalTo(true))
                .body("holder", equalTo("a-pod"))
                .body("expiresAt", equalTo(grant.getString("expiresAt")))
                .body("$", not(hasKey("token")))
                .extract().jsonPath();
        assertThat(state.getLong("fence")).isEqualTo(grant.getLong("fence"));
    }

    @Test
    void badWaitsAndFencesAreValidationErrors() {
        int before = slots.taken();
        String path = "/api/v1/leases/" + unique("leader");
        problem(given().queryParam("wait", "5s").queryParam("fence", "abc").get(path).then(), 400, "validation")
                .body("errors.field", contains("fence"));
        problem(given().queryParam("wait", "5s").queryParam("fence", "0").get(path).then(), 400, "validation")
                .body("errors.field", contains("fence"));
        problem(given().queryParam("wait", "31s").get(path).then(), 400, "validation")
                .body("errors.field", contains("wait"))
                .body("errors[0].message", containsString("store.changes.max-wait"));
        problem(given().queryParam("wait", "soon").queryParam("fence", "1").get(path).then(), 400, "validation")
                .body("errors.field", contains("wait"));
        assertThat(slots.taken()).as("slots taken").isEqualTo(before);
    }
}
