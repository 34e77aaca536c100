package io.metricstore.api;

import static io.metricstore.api.WatchApiTest.SOON;
import static io.metricstore.api.WatchApiTest.cursor;
import static io.metricstore.api.WatchApiTest.longPoll;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.metricstore.Eventually;
import io.metricstore.limits.ExpensiveReads;
import io.micrometer.core.instrument.MeterRegistry;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Slow readers of {@code /metrics} and of change streams (SPEC §6), over real sockets: a write timeout of 1 s, and
 * only 4 worker threads, so that a stalled reader holding a thread would leave none for the other requests.
 */
@QuarkusTest
@TestProfile(SlowReadersApiTest.ShortWriteTimeout.class)
class SlowReadersApiTest {

    public static class ShortWriteTimeout implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("store.limits.write-timeout", "1s",
                    "quarkus.thread-pool.max-threads", "4",
                    // Idle streams send a bookmark only every 2 s: twice the write timeout.
                    "store.changes.bookmark-interval", "2s");
        }
    }

    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(1);
    /** Series of about 1 KB each: an exposition of about 10 MB, far more than the socket buffers hold. */
    private static final int SERIES = 10_000;
    private static final String PADDING = "x".repeat(1000);

    @Inject
    ExpensiveReads reads;
    @Inject
    MeterRegistry registry;

    private double closed(String endpoint) {
        return registry.get("store_slow_readers_closed_total").tag("endpoint", endpoint).counter().count();
    }

    private static void writeLargeSeries(String name) {
        for (int first = 0; first < SERIES; first += 2000) {
            String points = IntStream.range(first, first + 2000)
                    .mapToObj(i -> "{\"name\":\"" + name + "\",\"labels\":{\"n\":\"" + i + "\",\"pad\":\"" + PADDING
                            + "\"},\"value\":" + i + "}")
                    .collect(Collectors.joining(","));
            given().contentType(ContentType.JSON)
                    .body("{\"role\":\"leader\",\"source\":\"leader_scrape\",\"points\":[" + points + "]}")
                    .post("/api/v1/points").then().statusCode(200);
        }
    }

    /** A client with a small receive buffer that sends {@code GET target} and then reads nothing. */
    private static Socket stalled(String target, String accept) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new InetSocketAddress(URI.create(RestAssured.baseURI).getHost(), RestAssured.port));
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nAccept: " + accept + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }

    /**
     * Eight scrapers that stop reading (twice the worker threads): meanwhile scrapes, writes and reads of every kind
     * are answered; after the write timeout each stalled connection is closed before the end of its answer, counted,
     * and its read permit is back.
     */
    @Test
    void stalledScrapersHoldNoThreadAndAreDisconnectedAfterTheWriteTimeout() throws Exception {
        writeLargeSeries("slow_scrape");
        int stalledCount = 8;
        int permits = 16;
        Eventually.until(() -> reads.available() == permits, SOON, "every permit free");
        double closedBefore = closed("metrics");
        int whole = given().get("/metrics").then().statusCode(200).extract().asByteArray().length;
        assertThat(whole).isGreaterThan(SERIES * PADDING.length());

        List<Socket> stalled = new ArrayList<>();
        ExecutorService clients = Executors.newFixedThreadPool(16);
        try {
            for (int i = 0; i < stalledCount; i++) {
                stalled.add(stalled("/metrics", "*/*"));
            }
            Eventually.until(() -> reads.available() == permits - stalledCount, SOON, "every stalled scrape admitted");

            // Twice as many requests at once as there are worker threads, scrapes among them, each answered.
            List<CompletableFuture<Integer>> answered = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int n = i;
                answered.add(CompletableFuture.supplyAsync(() -> given().get("/metrics").then().statusCode(200)
                        .extract().asByteArray().length, clients));
                answered.add(CompletableFuture.supplyAsync(() -> given().contentType(ContentType.JSON)
                        .body("{\"role\":\"leader\",\"source\":\"leader_scrape\",\"points\":[{\"name\":\"meanwhile\","
                                + "\"labels\":{\"n\":\"" + n + "\"},\"value\":1}]}")
                        .post("/api/v1/points").then().statusCode(200).extract().asByteArray().length, clients));
            }
            for (CompletableFuture<Integer> answer : answered) {
                assertThat(answer.get(SOON.toSeconds(), TimeUnit.SECONDS)).isPositive();
            }
            given().get("/api/v1/series?name=meanwhile").then().statusCode(200);

            Eventually.until(() -> closed("metrics") == closedBefore + stalledCount, WRITE_TIMEOUT.plusSeconds(10),
                    "every stalled scrape closed");
            Eventually.until(() -> reads.available() == permits, SOON, "every stalled scrape's permit back");
            for (Socket socket : stalled) {
                assertThat(drain(socket)).as("bytes the server had sent").isPositive().isLessThan(whole);
            }
        } finally {
            clients.shutdownNow();
            for (Socket socket : stalled) {
                socket.close();
            }
        }
        given().get("/metrics").then().statusCode(200);
    }

    /**
     * Whole snapshots share the read permits with scrapes: snapshot readers that stop reading are disconnected after
     * the write timeout (each held a worker thread meanwhile), counted, their permits back, and scrapes go on.
     */
    @Test
    void stalledSnapshotReadersAreDisconnectedAfterTheWriteTimeout() throws Exception {
        writeLargeSeries("slow_snapshot");
        int permits = 16;
        Eventually.until(() -> reads.available() == permits, SOON, "every permit free");
        double closedBefore = closed("series");
        int whole = given().get("/api/v1/series").then().statusCode(200).extract().asByteArray().length;
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                stalled.add(stalled("/api/v1/series", "application/json"));
            }
            Eventually.until(() -> closed("series") == closedBefore + stalled.size(), WRITE_TIMEOUT.plusSeconds(10),
                    "every stalled snapshot reader closed");
            Eventually.until(() -> reads.available() == permits, SOON, "every stalled snapshot's permit back");
            for (Socket socket : stalled) {
                assertThat(drain(socket)).as("bytes the server had sent").isPositive().isLessThan(whole);
            }
        } finally {
            for (Socket socket : stalled) {
                socket.close();
            }
        }
        given().get("/metrics").then().statusCode(200);
        given().get("/api/v1/series").then().statusCode(200);
    }

    /** A stream client that stops reading while large changes pile up is disconnected, counted and its slot freed. */
    @Test
    void aStalledStreamIsDisconnectedAfterTheWriteTimeout() throws Exception {
        double closedBefore = closed("changes_stream");
        try (Socket socket = stalled("/api/v1/changes/stream?since=" + cursor(), "text/event-stream")) {
            writeLargeSeries("slow_stream");
            Eventually.until(() -> closed("changes_stream") == closedBefore + 1, WRITE_TIMEOUT.plusSeconds(10),
                    "the stalled stream closed");
            assertThat(drain(socket)).as("bytes the server had sent").isPositive();
        }
    }

    /** Nothing to send is not a slow reader: a stream quiet for twice the write timeout and a long-poll stay open. */
    @Test
    void anIdleStreamAndALongPollOutlastTheWriteTimeout() throws Exception {
        String now = cursor();
        double closedBefore = closed("changes_stream");
        CompletableFuture<HttpResponse<String>> poll = longPoll("since=" + now + "&wait=3s");
        try (SseClient stream = SseClient.since(now)) {
            long began = System.nanoTime();
            for (int i = 0; i < 2; i++) {
                assertThat(stream.next(SOON).name()).isEqualTo("bookmark");
            }
            assertThat(Duration.ofNanos(System.nanoTime() - began)).isGreaterThan(WRITE_TIMEOUT.multipliedBy(3));
            assertThat(stream.ended()).isFalse();
        }
        HttpResponse<String> answered = poll.get(SOON.toSeconds(), TimeUnit.SECONDS);
        assertThat(answered.statusCode()).isEqualTo(200);
        assertThat(JsonPath.from(answered.body()).getString("cursor")).isEqualTo(now);
        assertThat(closed("changes_stream")).isEqualTo(closedBefore);
    }

    /** Reads until the end of the stream or a reset; a read that blocks for 10 s fails (the server kept it open). */
    private static long drain(Socket socket) throws IOException {
        socket.setSoTimeout(10_000);
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        try {
            for (int read; (read = in.read(buffer)) >= 0; ) {
                total += read;
            }
        } catch (SocketTimeoutException stillOpen) {
            throw new AssertionError("the server kept the connection open after " + total + " bytes", stillOpen);
        } catch (SocketException reset) {
            // A reset ends the connection as well.
        }
        return total;
    }
}
