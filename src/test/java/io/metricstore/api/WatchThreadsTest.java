package io.metricstore.api;

import static io.metricstore.api.ApiTest.unique;
import static io.metricstore.api.WatchApiTest.cursor;
import static io.metricstore.api.WatchApiTest.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.metricstore.Eventually;
import io.metricstore.watch.FeedWatch;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Many idle waiters cost no thread each (SPEC §3, Watch): 1,000 long-polls wait on one replica with a bounded number
 * of threads in the JVM (the application's and the test client's), and one write wakes them all.
 */
@QuarkusTest
class WatchThreadsTest {

    private static final int WAITERS = 1000;

    @Inject
    FeedWatch watch;

    @Test
    void aThousandIdleLongPollsHoldABoundedNumberOfThreads() throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        // The client's own work runs on two threads and its one selector thread, so the count measures the server.
        ExecutorService clientThreads = Executors.newFixedThreadPool(2);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(clientThreads)
                .connectTimeout(Duration.ofSeconds(10)).build();
        try {
            String since = cursor();
            URI uri = URI.create(RestAssured.baseURI + ":" + RestAssured.port + "/api/v1/changes?since=" + since
                    + "&wait=30s");
            int before = watch.waiting();
            // One exchange first, so the client's selector thread exists before counting.
            http.send(HttpRequest.newBuilder(URI.create(RestAssured.baseURI + ":" + RestAssured.port
                    + "/api/v1/cursor")).build(), HttpResponse.BodyHandlers.discarding());
            int threadsBefore = threads.getThreadCount();
            threads.resetPeakThreadCount();

            List<CompletableFuture<HttpResponse<String>>> polls = new ArrayList<>();
            for (int i = 0; i < WAITERS; i++) {
                polls.add(http.sendAsync(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()));
            }
            Eventually.until(() -> watch.waiting() == before + WAITERS, Duration.ofSeconds(25),
                    WAITERS + " long-polls waiting");

            int threadsWaiting = threads.getThreadCount();
            int threadsAtPeak = threads.getPeakThreadCount();
            assertThat(polls).noneMatch(CompletableFuture::isDone);
            assertThat(threadsWaiting - threadsBefore).as("threads added for %d waiters (%d before)", WAITERS,
                    threadsBefore).isLessThan(100);
            assertThat(threadsAtPeak - threadsBefore).as("threads added at the peak, while the %d requests arrived",
                    WAITERS).isLessThan(100);

            String name = unique("wakes_all");
            long written = System.nanoTime();
            write(name);
            CompletableFuture.allOf(polls.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(System.nanoTime() - written)).isLessThan(Duration.ofSeconds(10));
            for (CompletableFuture<HttpResponse<String>> poll : polls) {
                HttpResponse<String> answer = poll.join();
                assertThat(answer.statusCode()).isEqualTo(200);
                assertThat(JsonPath.from(answer.body()).getList("events.id", String.class)).containsExactly(name);
            }
            Eventually.until(() -> watch.waiting() == before, Duration.ofSeconds(10), "every slot freed");
        } finally {
            clientThreads.shutdownNow();
        }
    }
}
