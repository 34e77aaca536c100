package io.metricstore.api;

import static io.metricstore.api.ApiTest.post;
import static io.metricstore.api.ApiTest.problem;
import static io.metricstore.api.ApiTest.scrape;
import static io.metricstore.api.ApiTest.unique;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.metricstore.Eventually;
import io.metricstore.store.MutableClock;
import io.metricstore.store.StoreConfig;
import io.metricstore.watch.FeedWatch;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Watching the feed over HTTP (SPEC §3, Watch) with the default limits: long-polls of {@code GET /changes?wait=},
 * the event stream of {@code GET /changes/stream}, and their refusals. The small limits (waiters, wait, bookmarks)
 * are in {@link WatchLimitsApiTest}.
 */
@QuarkusTest
class WatchApiTest {

    static final Duration SOON = Duration.ofSeconds(10);
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Inject
    FeedWatch watch;

    @Inject
    MutableClock clock;

    @Inject
    StoreConfig config;

    static String cursor() {
        return given().get("/api/v1/cursor").then().statusCode(200).extract().path("cursor");
    }

    static void write(String... names) {
        post("/api/v1/points", scrape(Arrays.stream(names)
                .map(name -> "{\"name\":\"" + name + "\",\"value\":1}").collect(Collectors.joining(","))))
                .statusCode(200);
    }

    /** A long-poll sent without waiting for its answer. */
    static CompletableFuture<HttpResponse<String>> longPoll(String query) {
        return HTTP.sendAsync(HttpRequest.newBuilder(URI.create(RestAssured.baseURI + ":" + RestAssured.port
                + "/api/v1/changes?" + query)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private void awaitWaiting(int count) {
        Eventually.until(() -> watch.waiting() == count, SOON, count + " waiters");
    }

    // ---- long-polls

    @Test
    void aLongPollAnswersAtOnceWhenThereAreEvents() {
        String since = cursor();
        String name = unique("ready");
        write(name);
        long began = System.nanoTime();
        given().queryParam("since", since).queryParam("wait", "30s").get("/api/v1/changes").then()
                .statusCode(200)
                .body("events.id", contains(name))
                .body("cursor", equalTo(cursor()))
                .body("more", equalTo(false));
        assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(SOON);
    }

    @Test
    void aWriteWakesAWaitingLongPoll() throws Exception {
        int before = watch.waiting();
        String since = cursor();
        CompletableFuture<HttpResponse<String>> poll = longPoll("since=" + since + "&wait=30s");
        awaitWaiting(before + 1);
        assertThat(poll).isNotDone();

        String name = unique("wakes");
        write(name);

        HttpResponse<String> answer = poll.get(SOON.toSeconds(), TimeUnit.SECONDS);
        assertThat(answer.statusCode()).isEqualTo(200);
        JsonPath delta = JsonPath.from(answer.body());
        assertThat(delta.getList("events.id", String.class)).containsExactly(name);
        assertThat(delta.getString("cursor")).isEqualTo(cursor());
        awaitWaiting(before);
    }

    @Test
    void aLongPollWithoutChangesAnswersNothingAtTheSameCursorAfterItsWait() {
        String since = cursor();
        for (String wait : List.of("1s", "PT1S")) {
            long began = System.nanoTime();
            given().queryParam("since", since).queryParam("wait", wait).get("/api/v1/changes").then()
                    .statusCode(200)
                    .body("events", empty())
                    .body("cursor", equalTo(since))
                    .body("more", equalTo(false));
            assertThat(Duration.ofNanos(System.nanoTime() - began)).as("wait=%s", wait)
                    .isGreaterThanOrEqualTo(Duration.ofMillis(990));
        }
    }

    @Test
    void aLongPollWhoseClientGoesAwayFreesItsSlot() throws Exception {
        int before = watch.waiting();
        try (Socket socket = new Socket(URI.create(RestAssured.baseURI).getHost(), RestAssured.port)) {
            socket.getOutputStream().write(("GET /api/v1/changes?since=" + cursor() + "&wait=30s HTTP/1.1\r\n"
                    + "Host: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            awaitWaiting(before + 1);
        }
        // Well before the 30 s wait ends.
        Eventually.until(() -> watch.waiting() == before, Duration.ofSeconds(5), "the slot freed");
    }

    @Test
    void aLongPollHonoursItsLimit() {
        String since = cursor();
        String a = unique("page_a");
        String b = unique("page_b");
        write(a, b);
        String next = given().queryParam("since", since).queryParam("limit", "1").queryParam("wait", "30s")
                .get("/api/v1/changes").then().statusCode(200)
                .body("events.id", contains(a)).body("more", equalTo(true))
                .extract().path("cursor");
        given().queryParam("since", next).queryParam("wait", "30s").get("/api/v1/changes").then().statusCode(200)
                .body("events.id", contains(b)).body("more", equalTo(false));
    }

    @Test
    void badWaitsAreValidationErrors() {
        int before = watch.waiting();
        String since = cursor();
        problem(given().queryParam("since", since).queryParam("wait", "31s").get("/api/v1/changes").then(),
                400, "validation")
                .body("errors.field", contains("wait"))
                .body("errors[0].message", containsString("store.changes.max-wait"));
        problem(given().queryParam("since", since).queryParam("wait", "PT31S").get("/api/v1/changes").then(),
                400, "validation")
                .body("errors.field", contains("wait"));
        problem(given().queryParam("since", since).queryParam("wait", "soon").get("/api/v1/changes").then(),
                400, "validation")
                .body("errors.field", contains("wait"))
                .body("errors[0].message", containsString("30s"));
        problem(given().queryParam("wait", "soon").queryParam("limit", "0").get("/api/v1/changes").then(),
                400, "validation")
                .body("errors.field", hasItem("since"))
                .body("errors.field", hasItem("wait"));
        problem(given().queryParam("since", "not-a-cursor").queryParam("wait", "5s").get("/api/v1/changes").then(),
                400, "malformed-cursor");
        assertThat(watch.waiting()).as("slots taken").isEqualTo(before);
    }

    @Test
    void badStreamRequestsAreRefusedBeforeStreaming() {
        int before = watch.waiting();
        problem(given().accept("text/event-stream").get("/api/v1/changes/stream").then(), 400, "validation")
                .body("errors.field", contains("since"));
        problem(given().accept("text/event-stream").queryParam("since", "").get("/api/v1/changes/stream").then(),
                400, "validation")
                .body("errors.field", contains("since"));
        problem(given().accept("text/event-stream").queryParam("since", "not-a-cursor")
                .get("/api/v1/changes/stream").then(), 400, "malformed-cursor");
        // Last-Event-ID wins over since, so a bad one is refused even with a good since.
        problem(given().accept("text/event-stream").queryParam("since", cursor()).header("Last-Event-ID", "garbage")
                .get("/api/v1/changes/stream").then(), 400, "malformed-cursor");
        assertThat(watch.waiting()).as("slots taken").isEqualTo(before);
    }

    // ---- streams

    @Test
    void aStreamSendsEachChangeInOrderAsTheEventOfChanges() {
        String since = cursor();
        List<String> names = List.of(unique("one"), unique("two"), unique("three"));
        int before = watch.waiting();
        try (SseClient stream = SseClient.since(since)) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(stream.header("Content-Type")).hasValueSatisfying(type ->
                    assertThat(type).startsWith("text/event-stream"));
            awaitWaiting(before + 1);
            write(names.get(0));
            write(names.get(1), names.get(2));

            List<SseClient.Event> events = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                events.add(stream.nextChange(SOON));
            }
            List<Map<String, Object>> expected = given().queryParam("since", since).get("/api/v1/changes")
                    .then().statusCode(200).extract().jsonPath().getList("events");
            List<Map<String, Object>> sent = events.stream()
                    .map(event -> JsonPath.from(event.data()).<String, Object>getMap("$")).toList();
            assertThat(sent).containsExactlyElementsOf(expected);
            assertThat(events).extracting(event -> JsonPath.from(event.data()).getString("id"))
                    .containsExactlyElementsOf(names);
            for (int k = 0; k < events.size(); k++) {
                List<String> rest = names.subList(k + 1, names.size());
                given().queryParam("since", events.get(k).id()).get("/api/v1/changes").then().statusCode(200)
                        .body("events.id", equalTo(rest));
            }
            assertThat(events.get(2).id()).isEqualTo(cursor());
        }
        awaitWaiting(before);
    }

    @Test
    void aStreamResumedWithLastEventIdMissesNothingAndRepeatsNothing() {
        String since = cursor();
        List<String> names = IntStream.range(0, 10).mapToObj(i -> unique("resume" + i)).toList();
        write(names.toArray(String[]::new));
        int k = 4;
        String lastId;
        try (SseClient first = SseClient.since(since)) {
            List<String> seen = new ArrayList<>();
            SseClient.Event event = null;
            for (int i = 0; i < k; i++) {
                event = first.nextChange(SOON);
                seen.add(JsonPath.from(event.data()).getString("id"));
            }
            assertThat(seen).containsExactlyElementsOf(names.subList(0, k));
            lastId = event.id();
        }

        // The stale since is ignored: Last-Event-ID wins.
        try (SseClient resumed = SseClient.open("since=" + since, Map.of("Last-Event-ID", lastId))) {
            assertThat(resumed.status()).isEqualTo(200);
            List<String> rest = new ArrayList<>();
            for (int i = k; i < names.size(); i++) {
                rest.add(JsonPath.from(resumed.nextChange(SOON).data()).getString("id"));
            }
            assertThat(rest).containsExactlyElementsOf(names.subList(k, names.size()));
            String marker = unique("marker");
            write(marker);
            assertThat(JsonPath.from(resumed.nextChange(SOON).data()).getString("id")).isEqualTo(marker);
        }
    }

    @Test
    void aSeriesExpiredByGcWakesLongPollsAndStreamsWithItsDeletion() throws Exception {
        String name = unique("expires");
        write(name);
        String since = cursor();
        int before = watch.waiting();
        CompletableFuture<HttpResponse<String>> poll = longPoll("since=" + since + "&wait=30s&limit=10000");
        try (SseClient stream = SseClient.since(since)) {
            awaitWaiting(before + 2);
            clock.advance(config.retention().plusMinutes(1));
            post("/api/v1/admin/gc", "{}").statusCode(200);

            HttpResponse<String> answer = poll.get(SOON.toSeconds(), TimeUnit.SECONDS);
            assertThat(answer.statusCode()).isEqualTo(200);
            List<Map<String, Object>> deletions = JsonPath.from(answer.body()).getList("events");
            assertThat(deletions).contains(Map.of("id", name, "deleted", true));
            // The other series of the shared application expire at the same time; ours is among them.
            Map<String, Object> ours = null;
            while (ours == null) {
                Map<String, Object> event = JsonPath.from(stream.nextChange(SOON).data()).getMap("$");
                assertThat(event).containsEntry("deleted", true).doesNotContainKey("point");
                ours = name.equals(event.get("id")) ? event : null;
            }
        }
        awaitWaiting(before);
    }

    @Test
    void aStreamWhoseCursorExpiredSendsExpiredAndEnds() {
        write(unique("expiring"));
        String old = cursor();
        clock.advance(config.retention().plusMinutes(1));
        post("/api/v1/admin/gc", "{}").statusCode(200);
        clock.advance(config.changes().tombstoneRetention().plusMinutes(1));
        post("/api/v1/admin/gc", "{}").statusCode(200);

        problem(given().queryParam("since", old).queryParam("wait", "30s").get("/api/v1/changes").then(),
                410, "cursor-expired");
        int before = watch.waiting();
        try (SseClient stream = SseClient.since(old)) {
            assertThat(stream.status()).isEqualTo(200);
            SseClient.Event expired = stream.next(SOON);
            assertThat(expired.name()).isEqualTo("expired");
            assertThat(expired.id()).isNull();
            JsonPath problem = JsonPath.from(expired.data());
            assertThat(problem.getString("type")).isEqualTo("urn:metric-store:problem:cursor-expired");
            assertThat(problem.getInt("status")).isEqualTo(410);
            assertThat(problem.getString("detail")).isNotBlank();
            assertThat(problem.getString("instance")).isEqualTo("/api/v1/changes/stream");
            stream.awaitEnd(SOON);
        }
        awaitWaiting(before);
    }
}
