package io.metricstore.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.metricstore.PackagedJar;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A replica that shuts down (SIGTERM) ends its long-polls (of the feed and of leases) and streams when readiness turns
 * DOWN, at the start of the shutdown delay, instead of holding its shutdown up to {@code quarkus.shutdown.timeout}
 * while they wait; a long-poll that arrives during the delay is sent elsewhere (503 with {@code Retry-After}).
 */
class WatchShutdownIT {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void shuttingDownEndsEveryWaitAtOnce() throws Exception {
        int port = PackagedJar.freePort();
        int management = PackagedJar.freePort();
        File log = Files.createTempFile("shutdown", ".log").toFile();
        Process service = new ProcessBuilder(PackagedJar.java(), "-Dquarkus.http.port=" + port,
                "-Dquarkus.management.port=" + management, "-Dstore.auth.enabled=false",
                "-Dquarkus.shutdown.delay=3s", "-Dquarkus.shutdown.timeout=30s", "-jar", PackagedJar.JAR.toString())
                .redirectErrorStream(true).redirectOutput(log).start();
        try {
            String base = "http://localhost:" + port + "/api/v1";
            PackagedJar.await(() -> PackagedJar.answers(base + "/cursor", 200), Duration.ofSeconds(60), "the service");
            String cursor = http.send(get(base + "/cursor"), HttpResponse.BodyHandlers.ofString()).body()
                    .replaceAll(".*\"cursor\":\"([^\"]+)\".*", "$1");
            List<CompletableFuture<HttpResponse<String>>> polls = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                polls.add(http.sendAsync(get(base + "/changes?since=" + cursor + "&wait=30s"),
                        HttpResponse.BodyHandlers.ofString()));
            }
            CompletableFuture<HttpResponse<String>> stream = http.sendAsync(
                    get(base + "/changes/stream?since=" + cursor), HttpResponse.BodyHandlers.ofString());
            CompletableFuture<HttpResponse<String>> lease = http.sendAsync(get(base + "/leases/leader?wait=30s"),
                    HttpResponse.BodyHandlers.ofString());
            PackagedJar.await(() -> waiters(management).contains("store_changes_waiters 5.0"),
                    Duration.ofSeconds(10), "five waiters");

            long signalled = System.nanoTime();
            service.destroy();
            for (CompletableFuture<HttpResponse<String>> poll : polls) {
                HttpResponse<String> answer = poll.get(10, TimeUnit.SECONDS);
                assertThat(answer.statusCode()).isEqualTo(200);
                assertThat(answer.body()).contains("\"events\":[]").contains("\"cursor\":\"" + cursor + "\"");
            }
            HttpResponse<String> observed = lease.get(10, TimeUnit.SECONDS);
            assertThat(observed.statusCode()).isEqualTo(200);
            assertThat(observed.body()).as("the lease long-poll answers the state it knows").contains("\"held\":false");
            HttpResponse<String> streamed = stream.get(10, TimeUnit.SECONDS);
            assertThat(streamed.body()).as("the stream ends after a last bookmark").contains("event:bookmark");
            assertThat(Duration.ofNanos(System.nanoTime() - signalled)).as("the waits ended before the delay did")
                    .isLessThan(Duration.ofSeconds(3));

            HttpResponse<String> late = http.send(get(base + "/changes?since=" + cursor + "&wait=30s"),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(late.statusCode()).as("a long-poll during the shutdown delay").isEqualTo(503);
            assertThat(late.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(late.body()).contains("shutting down");

            assertThat(service.waitFor(20, TimeUnit.SECONDS)).as("stopped after the delay, not after the timeout")
                    .isTrue();
        } finally {
            service.destroyForcibly();
        }
    }

    private String waiters(int management) {
        try {
            return http.send(get("http://localhost:" + management + "/q/metrics"), HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static HttpRequest get(String url) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(40)).build();
    }
}
