package io.metricstore.api;

import static io.metricstore.api.ApiTest.problem;
import static io.metricstore.api.WatchApiTest.SOON;
import static io.metricstore.api.WatchApiTest.cursor;
import static io.metricstore.api.WatchApiTest.longPoll;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;

import io.metricstore.Eventually;
import io.metricstore.watch.FeedWatch;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The limits of watching, configured small so tests reach them on wall-clock time (Vert.x timers cannot be moved by
 * the test clock): 4 waiters, waits of at most 2 s, a write timeout of 2 s, a bookmark every 500 ms, and idle
 * connections closed after 3 s.
 */
@QuarkusTest
@TestProfile(WatchLimitsApiTest.SmallWatchLimits.class)
class WatchLimitsApiTest {

    public static class SmallWatchLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("store.changes.max-waiters", "4",
                    "store.changes.max-wait", "2s",
                    "store.changes.bookmark-interval", "500ms",
                    "store.limits.write-timeout", "2s",
                    "quarkus.http.idle-timeout", "3s");
        }
    }

    private static final Duration MAX_WAIT = Duration.ofSeconds(2);
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(2);

    @Inject
    FeedWatch watch;

    private void awaitWaiting(int count) {
        Eventually.until(() -> watch.waiting() == count, SOON, count + " waiters");
    }

    /** An idle connection is closed (SPEC §6), while a long-poll of the longest wait is answered first. */
    @Test
    void anIdleConnectionIsClosedButALongPollIsAnsweredFirst() throws IOException {
        URI api = URI.create(RestAssured.baseURI + ":" + RestAssured.port);
        try (Socket idle = new Socket()) {
            idle.connect(new InetSocketAddress(api.getHost(), api.getPort()));
            idle.setSoTimeout((int) Duration.ofSeconds(10).toMillis());
            long opened = System.nanoTime();
            assertThat(idle.getInputStream().read()).as("the server closes the idle connection").isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - opened)).isGreaterThan(Duration.ofSeconds(2));
        }
        given().queryParam("since", cursor()).queryParam("wait", "2s").get("/api/v1/changes").then()
                .statusCode(200).body("events", empty());
    }

    @Test
    void aWaitOverTheConfiguredMaximumIsRefused() {
        problem(given().queryParam("since", cursor()).queryParam("wait", "3s").get("/api/v1/changes").then(),
                400, "validation")
                .body("errors[0].field", equalTo("wait"))
                .body("errors[0].message", containsString("PT2S"));
        given().queryParam("since", cursor()).queryParam("wait", "2s").get("/api/v1/changes").then()
                .statusCode(200).body("events", empty());
    }

    @Test
    void beyondMaxWaitersLongPollsAndStreamsAre503UntilASlotIsFree() throws Exception {
        String since = cursor();
        int before = watch.waiting();
        List<SseClient> streams = new ArrayList<>();
        try {
            for (int i = before; i < 4; i++) {
                SseClient stream = SseClient.since(since);
                assertThat(stream.status()).isEqualTo(200);
                streams.add(stream);
            }
            awaitWaiting(4);

            problem(given().queryParam("since", since).queryParam("wait", "1s").get("/api/v1/changes").then(),
                    503, "too-many-waiters")
                    .header("Retry-After", "1")
                    .body("detail", containsString("store.changes.max-waiters"));
            problem(given().accept("text/event-stream").queryParam("since", since).get("/api/v1/changes/stream")
                    .then(), 503, "too-many-waiters")
                    .header("Retry-After", "1");
            // A poll that does not wait takes no slot.
            given().queryParam("since", since).get("/api/v1/changes").then().statusCode(200);

            // A client that goes away frees its slot.
            streams.remove(0).close();
            awaitWaiting(3);
            HttpResponse<String> admitted = longPoll("since=" + since + "&wait=1s").get(SOON.toSeconds(),
                    TimeUnit.SECONDS);
            assertThat(admitted.statusCode()).isEqualTo(200);
            assertThat(JsonPath.from(admitted.body()).getString("cursor")).isEqualTo(since);
        } finally {
            streams.forEach(SseClient::close);
        }
        awaitWaiting(before);
    }

    @Test
    void anIdleStreamSendsBookmarksAndIsNotCutOff() {
        String now = cursor();
        try (SseClient stream = SseClient.since(now)) {
            long began = System.nanoTime();
            // Six bookmarks: 3 s, longer than store.changes.max-wait, for a client that takes every event.
            for (int i = 0; i < 6; i++) {
                SseClient.Event bookmark = stream.next(SOON);
                assertThat(bookmark.name()).isEqualTo("bookmark");
                assertThat(bookmark.id()).isEqualTo(now);
                assertThat(JsonPath.from(bookmark.data()).getString("cursor")).isEqualTo(now);
            }
            assertThat(Duration.ofNanos(System.nanoTime() - began)).isGreaterThanOrEqualTo(Duration.ofMillis(2900));
            assertThat(stream.ended()).isFalse();
        }
    }

    /**
     * A client that reads nothing while large changes pile up: once the kernel buffers are full the server can send
     * no more, and after store.limits.write-timeout it must drop the connection (and its slot) instead of holding it.
     */
    @Test
    void aClientThatReadsNothingIsDisconnectedAfterTheWriteTimeout() throws Exception {
        int before = watch.waiting();
        String since = cursor();
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(4096);
            socket.connect(new InetSocketAddress(URI.create(RestAssured.baseURI).getHost(), RestAssured.port));
            OutputStream out = socket.getOutputStream();
            out.write(("GET /api/v1/changes/stream?since=" + since + " HTTP/1.1\r\nHost: localhost\r\n"
                    + "Accept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            awaitWaiting(before + 1);

            // 20,000 series of about 1 KB each: far more than the socket buffers on both sides hold.
            String padding = "x".repeat(1000);
            for (int batch = 0; batch < 10; batch++) {
                int first = batch * 2000;
                String points = IntStream.range(first, first + 2000)
                        .mapToObj(i -> "{\"name\":\"slow_client\",\"labels\":{\"n\":\"" + i + "\",\"pad\":\""
                                + padding + "\"},\"value\":" + i + "}")
                        .collect(Collectors.joining(","));
                given().contentType(ContentType.JSON)
                        .body("{\"role\":\"leader\",\"source\":\"leader_scrape\",\"points\":[" + points + "]}")
                        .post("/api/v1/points").then().statusCode(200);
            }
            long written = System.nanoTime();

            Eventually.until(() -> watch.waiting() == before, WRITE_TIMEOUT.plusSeconds(5),
                    "the slow client's slot freed");
            assertThat(Duration.ofNanos(System.nanoTime() - written)).isLessThan(WRITE_TIMEOUT.plusSeconds(5));

            socket.setSoTimeout(10_000);
            assertThat(drain(socket.getInputStream())).as("bytes the server had sent").isPositive();
        }
    }

    /** Reads until the end of the stream or a reset; a read that blocks for 10 s fails (the server kept it open). */
    private static long drain(InputStream in) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try {
            for (int read; (read = in.read(buffer)) >= 0; ) {
                total += read;
                assertThat(System.nanoTime()).as("the end of the stream").isLessThan(deadline);
            }
        } catch (SocketTimeoutException stillOpen) {
            throw new AssertionError("the server kept the connection open after " + total + " bytes", stillOpen);
        } catch (SocketException reset) {
            // A reset ends the connection as well.
        }
        return total;
    }
}
