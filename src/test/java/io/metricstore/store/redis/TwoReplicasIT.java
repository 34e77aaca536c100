package io.metricstore.store.redis;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import io.metricstore.PackagedJar;
import io.restassured.http.ContentType;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two packaged replicas on different ports over one Redis, authentication on as in production, see each other's
 * writes, cursors and locks.
 */
class TwoReplicasIT {

    private static final List<Process> replicas = new ArrayList<>();
    private static final Map<Integer, Integer> managementPorts = new HashMap<>();
    private static final List<File> logs = new ArrayList<>();
    private static RedisTestServer.Server redis;
    private static int portA;
    private static int portB;

    @BeforeAll
    static void startTwoReplicas() throws Exception {
        String external = System.getenv(RedisTestServer.EXTERNAL);
        redis = external != null && !external.isBlank() ? new RedisTestServer.Server(external, null)
                : RedisTestServer.Server.launch();
        portA = PackagedJar.freePort();
        portB = PackagedJar.freePort();
        replicas.add(launch(portA));
        replicas.add(launch(portB));
        awaitReady(portA);
        awaitReady(portB);
    }

    @AfterAll
    static void stopAll() {
        replicas.forEach(Process::destroy);
        if (redis != null) {
            redis.shutdown();
        }
    }

    private static Process launch(int port) throws IOException {
        File log = Files.createTempFile("replica-" + port, ".log").toFile();
        logs.add(log);
        int management = PackagedJar.freePort();
        managementPorts.put(port, management);
        List<String> command = new ArrayList<>(List.of(PackagedJar.java(),
                "-Dquarkus.http.port=" + port, "-Dstore.backend=redis", "-Dquarkus.redis.hosts=" + redis.url(),
                "-Dstore.namespace=two-replicas"));
        command.addAll(PackagedJar.secured(management));
        command.addAll(List.of("-jar", PackagedJar.JAR.toString()));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
    }

    private static RequestSpecification at(int port) {
        return given().baseUri("http://localhost").port(port).header("Authorization", PackagedJar.bearer());
    }

    private static void awaitReady(int port) throws InterruptedException {
        PackagedJar.await(() -> PackagedJar.answers("http://localhost:" + managementPorts.get(port) + "/q/health/ready", 200),
                Duration.ofSeconds(60), "replica on " + port + " ready");
    }

    /** A WARN must mean something to act on, so a normal start on Redis logs none. */
    @Test
    void aNormalStartLogsNoWarning() throws IOException {
        for (File log : logs) {
            assertThat(Files.readAllLines(log.toPath())).as(log.getName())
                    .isNotEmpty()
                    .noneMatch(line -> line.contains(" WARN ") || line.contains(" ERROR "));
        }
    }

    @Test
    void writesAndCursorsOfOneReplicaAreSeenByTheOther() {
        String cursor = at(portB).get("/api/v1/cursor").then().statusCode(200).extract().path("cursor");
        at(portA).contentType(ContentType.JSON)
                .body("{\"role\":\"leader\",\"source\":\"leader_scrape\",\"points\":[{\"name\":\"shared_up\","
                        + "\"labels\":{\"replica\":\"a\"},\"value\":1}]}")
                .post("/api/v1/points").then().statusCode(200).body("applied", equalTo(1));
        at(portB).queryParam("name", "shared_up").get("/api/v1/series").then().statusCode(200)
                .body("series.id", contains("shared_up{replica=\"a\"}"));
        at(portB).queryParam("since", cursor).get("/api/v1/changes").then().statusCode(200)
                .body("events.id", contains("shared_up{replica=\"a\"}"));
        String afterA = at(portA).get("/api/v1/cursor").then().extract().path("cursor");
        assertThat(at(portB).get("/api/v1/cursor").then().extract().<String>path("cursor")).isEqualTo(afterA);
    }

    @Test
    void aLockTakenOnOneReplicaIsHeldOnTheOther() {
        ExtractableResponse<Response> acquired = at(portA).contentType(ContentType.JSON).body("{\"ttl\":\"1m\"}")
                .post("/api/v1/locks/job/nightly-backfill").then().statusCode(201).extract();
        String token = acquired.path("token");
        long fence = acquired.<Number>path("fence").longValue();
        at(portB).contentType(ContentType.JSON).body("{\"ttl\":\"1m\"}")
                .post("/api/v1/locks/job/nightly-backfill").then().statusCode(409).body("acquired", equalTo(false));
        at(portB).get("/api/v1/locks/job/nightly-backfill").then().statusCode(200).body("fence", equalTo(fence));
        at(portB).header("Lock-Token", token).delete("/api/v1/locks/job/nightly-backfill").then().statusCode(204);
        at(portA).contentType(ContentType.JSON).body("{\"ttl\":\"1m\"}")
                .post("/api/v1/locks/job/nightly-backfill").then().statusCode(201).body("fence", greaterThan(fence));
    }
}
