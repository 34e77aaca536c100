package io.metricstore.exposition;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.metricstore.PackagedJar;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The exposition against Prometheus' own parsers: {@code promtool check metrics} (text format, with lint) and a
 * Prometheus server scraping the packaged service (it negotiates OpenMetrics). Both come from Debian's
 * {@code prometheus} package, which CI installs; without them these tests are skipped.
 */
class PrometheusToolsIT {

    private static final String FIXTURE = """
            {"role":"leader","source":"leader_scrape","points":[
             {"name":"http_requests_total","labels":{"code":"200","path":"/a\\"b\\\\c\\nd"},"value":1027},
             {"name":"http_requests_created","labels":{"code":"200","path":"/a\\"b\\\\c\\nd"},"value":1700000000},
             {"name":"latency_seconds_bucket","labels":{"le":"0.5"},"value":3},
             {"name":"latency_seconds_bucket","labels":{"le":"+Inf"},"value":5},
             {"name":"latency_seconds_sum","value":12.5},
             {"name":"latency_seconds_count","value":5},
             {"name":"rpc_seconds","labels":{"quantile":"0.5"},"value":0.2},
             {"name":"rpc_seconds_sum","value":2},
             {"name":"rpc_seconds_count","value":10},
             {"name":"temperature_celsius","value":-3.5}],
             "families":{
              "http_requests":{"type":"counter","help":"Requests \\\\ served\\nby code"},
              "latency_seconds":{"type":"histogram","help":"Latency \\"quoted\\""},
              "rpc_seconds":{"type":"summary","help":"RPC"},
              "temperature_celsius":{"type":"gauge","help":"Temperature"}}}""";

    private static Process service;
    private static Process prometheus;
    private static int port;

    @BeforeAll
    static void startService() throws Exception {
        Assumptions.assumeTrue(onPath("promtool"), "promtool is not installed (Debian package prometheus)");
        port = PackagedJar.freePort();
        File log = Files.createTempFile("exposition", ".log").toFile();
        int management = PackagedJar.freePort();
        List<String> command = new ArrayList<>(List.of(PackagedJar.java(), "-Dquarkus.http.port=" + port,
                "-Dstore.exposition.refresh=200ms"));
        command.addAll(PackagedJar.secured(management));
        command.addAll(List.of("-jar", PackagedJar.JAR.toString()));
        service = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
        PackagedJar.await(() -> PackagedJar.answers("http://127.0.0.1:" + management + "/q/health/ready", 200),
                Duration.ofSeconds(60), "the service ready");
        given().baseUri("http://127.0.0.1").port(port).header("Authorization", PackagedJar.bearer())
                .contentType(ContentType.JSON).body(FIXTURE).post("/api/v1/points").then().statusCode(200);
    }

    @AfterAll
    static void stopAll() {
        if (prometheus != null) {
            prometheus.destroy();
        }
        if (service != null) {
            service.destroy();
        }
    }

    @Test
    void promtoolFindsNoParseErrorAndNoLintProblem() throws Exception {
        String text = awaitExposition();
        Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        promtool.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        promtool.getOutputStream().close();
        String report = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(promtool.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(report).as("promtool's findings on:%n%s", text).isEmpty();
        assertThat(promtool.exitValue()).isZero();
    }

    @Test
    void aPrometheusServerIngestsEverySeriesWithItsValue() throws Exception {
        Assumptions.assumeTrue(onPath("prometheus"), "prometheus is not installed");
        awaitExposition();
        int prometheusPort = PackagedJar.freePort();
        Path dir = Files.createTempDirectory("prometheus");
        Files.writeString(dir.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                scrape_configs:
                  - job_name: metric-store
                    authorization:
                      credentials: %s
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(PackagedJar.TOKEN, port));
        prometheus = new ProcessBuilder("prometheus", "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + prometheusPort)
                .redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile()).start();
        String api = "http://127.0.0.1:" + prometheusPort + "/api/v1/";
        Map<String, String> ingested = new HashMap<>();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (ingested.size() < 10) {
            assertThat(System.nanoTime()).as("Prometheus ingested the series within 60 s: %s", ingested)
                    .isLessThan(deadline);
            Thread.sleep(500);
            try {
                JsonPath result = given().queryParam("query", "{job=\"metric-store\",__name__!~\"up|scrape_.*\"}")
                        .get(api + "query").then().extract().jsonPath();
                ingested.clear();
                List<Map<String, Object>> series = result.getList("data.result");
                for (Map<String, Object> one : series) {
                    @SuppressWarnings("unchecked")
                    Map<String, String> metric = (Map<String, String>) one.get("metric");
                    @SuppressWarnings("unchecked")
                    List<Object> value = (List<Object>) one.get("value");
                    Map<String, String> labels = new java.util.TreeMap<>(metric);
                    labels.remove("job");
                    labels.remove("instance");
                    ingested.put(labels.toString(), value.get(1).toString());
                }
            } catch (Exception notUpYet) {
                // Prometheus is still starting
            }
        }
        assertThat(ingested).containsEntry("{__name__=http_requests_total, code=200, path=/a\"b\\c\nd}", "1027")
                .containsEntry("{__name__=http_requests_created, code=200, path=/a\"b\\c\nd}", "1700000000")
                .containsEntry("{__name__=latency_seconds_bucket, le=0.5}", "3")
                .containsEntry("{__name__=latency_seconds_bucket, le=+Inf}", "5")
                .containsEntry("{__name__=latency_seconds_sum}", "12.5")
                .containsEntry("{__name__=latency_seconds_count}", "5")
                .containsEntry("{__name__=rpc_seconds, quantile=0.5}", "0.2")
                .containsEntry("{__name__=rpc_seconds_sum}", "2")
                .containsEntry("{__name__=rpc_seconds_count}", "10")
                .containsEntry("{__name__=temperature_celsius}", "-3.5");
        JsonPath target = given().get(api + "targets").then().extract().jsonPath();
        assertThat(target.getString("data.activeTargets[0].lastError")).isEmpty();
        JsonPath metadata = given().get(api + "metadata").then().extract().jsonPath();
        assertThat(metadata.getString("data.http_requests[0].type")).isEqualTo("counter");
        assertThat(metadata.getString("data.latency_seconds[0].type")).isEqualTo("histogram");
        assertThat(metadata.getString("data.rpc_seconds[0].type")).isEqualTo("summary");
        assertThat(metadata.getString("data.temperature_celsius[0].help")).isEqualTo("Temperature");
    }

    /** The text exposition once the service's copy holds the fixture. */
    private static String awaitExposition() throws InterruptedException {
        String[] text = new String[1];
        PackagedJar.await(() -> {
            text[0] = given().baseUri("http://127.0.0.1").port(port).header("Authorization", PackagedJar.bearer())
                    .get("/metrics").asString();
            return text[0].contains("temperature_celsius -3.5");
        }, Duration.ofSeconds(30), "the exposition");
        return text[0];
    }

    private static boolean onPath(String command) {
        return List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)).stream()
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, command)));
    }
}
