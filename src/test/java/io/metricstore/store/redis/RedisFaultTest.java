package io.metricstore.store.redis;

import static io.metricstore.api.ApiTest.post;
import static io.metricstore.api.ApiTest.problem;
import static io.metricstore.api.ApiTest.scrape;
import static io.metricstore.api.ApiTest.unique;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItems;

import io.metricstore.LogCapture;
import io.metricstore.Management;
import io.metricstore.PackagedJar;
import io.metricstore.exposition.FollowerCache;
import io.metricstore.store.MutableClock;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.keys.KeyScanArgs;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.vertx.mutiny.redis.client.Response;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.LogRecord;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What happens when Redis goes away, loses its data or restarts. The server is this test's own (fsync on every
 * write), and the breakers wait only two seconds before trying again, so recovery is quick to observe.
 */
@QuarkusTest
@TestProfile(RedisFaultTest.FastRecovery.class)
class RedisFaultTest {

    public static class FastRecovery implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("io.metricstore.store.redis.RedisGuard/call/CircuitBreaker/delay", "2000",
                    "io.metricstore.store.redis.RedisGuard/call/CircuitBreaker/requestVolumeThreshold", "4",
                    "io.metricstore.store.redis.RedisWriteGuard/call/CircuitBreaker/delay", "2000",
                    "io.metricstore.store.redis.RedisWriteGuard/call/CircuitBreaker/requestVolumeThreshold", "4");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(RedisTestServer.class));
        }
    }

    @RedisControl.Inject
    RedisControl server;

    @Inject
    RedisDataSource redis;

    @Inject
    MutableClock clock;

    @Inject
    FollowerCache cache;

    /** A test that stopped Redis leaves it running again, but the breaker may still be open for a moment. */
    @BeforeEach
    void redisIsReachable() throws InterruptedException {
        awaitReady();
    }

    @Test
    void aStoppedRedisAnswers503AndReadinessRecoversByItself() throws InterruptedException {
        Assumptions.assumeTrue(server.controllable(), "the tests may not stop an external Redis");
        String name = unique("before_crash");
        post("/api/v1/points", scrape("{\"name\":\"" + name + "\",\"value\":7}")).statusCode(200);
        String cursor = given().when().get("/api/v1/cursor").then().statusCode(200).extract().path("cursor");
        LogCapture backendLog = LogCapture.of(RedisBackend.class);
        List<LogRecord> logged = backendLog.records();
        server.kill();
        try {
            // A stream too: refused before its first event, not opened and left empty.
            problem(given().queryParam("since", cursor).when().get("/api/v1/changes/stream").then(), 503,
                    "backend-unavailable").header("Retry-After", "2");
            problem(post("/api/v1/points", scrape("{\"name\":\"during_outage\",\"value\":1}")), 503, "backend-unavailable")
                    .header("Retry-After", "2");
            problem(given().when().get("/api/v1/series").then(), 503, "backend-unavailable");
            problem(post("/api/v1/locks/job/outage", "{\"ttl\":\"30s\"}"), 503, "backend-unavailable");
            Management.given().when().get("/q/health/ready").then().statusCode(503).body("status", equalTo("DOWN"));
            Management.given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
            for (int i = 0; i < 10; i++) {
                given().when().get("/api/v1/cursor").then().statusCode(503);
            }
            problem(given().when().get("/api/v1/cursor").then(), 503, "backend-unavailable")
                    .body("detail", containsString("circuit open"))
                    .header("Retry-After", "2");
            for (int i = 0; i < 4; i++) {
                post("/api/v1/locks/job/outage", "{\"ttl\":\"30s\"}").statusCode(503);
            }
            // Unreachable is an outage of both kinds of call: both breakers open, and readiness says why.
            assertThat(Management.given().when().get("/q/metrics").then().statusCode(200).extract().asString())
                    .containsPattern("store_circuit_state\\{backend=\"redis\",breaker=\"reads\"} [12]\\.0")
                    .containsPattern("store_circuit_state\\{backend=\"redis\",breaker=\"writes\"} [12]\\.0");
            Management.given().when().get("/q/health/ready").then().statusCode(503)
                    .body("checks.find { it.name == 'store-backend' }.data.circuit", anyOf(equalTo("open"),
                            equalTo("half_open")))
                    .body("checks.find { it.name == 'store-backend' }.data.writes", anyOf(equalTo("open"),
                            equalTo("half_open")));
        } finally {
            server.start();
        }
        awaitReady();
        Management.given().when().get("/q/health/ready").then()
                .body("checks.find { it.name == 'store-backend' }.data.circuit", equalTo("closed"));
        given().queryParam("name", name).when().get("/api/v1/series").then().statusCode(200)
                .body("series[0].value", equalTo(7.0f));
        post("/api/v1/points", scrape("{\"name\":\"" + name + "\",\"value\":8}")).statusCode(200);
        backendLog.close();
        // One line when the outage starts, with its reason, and one when it ends: none per failed request or probe.
        assertThat(logged).extracting(LogRecord::getLevel, record -> record.getMessage().startsWith("Redis is"))
                .containsExactly(tuple(org.jboss.logmanager.Level.WARN, true), tuple(org.jboss.logmanager.Level.INFO, true));
        assertThat(logged.get(0).getMessage()).startsWith("Redis is unreachable (");
        assertThat(logged.get(1).getMessage()).isEqualTo("Redis is reachable again");
    }

    @Test
    void noAcknowledgedWriteIsLostWhenRedisCrashes() throws InterruptedException {
        Assumptions.assumeTrue(server.controllable(), "the tests may not stop an external Redis");
        String name = unique("durable");
        for (int batch = 0; batch < 5; batch++) {
            StringBuilder points = new StringBuilder();
            for (int i = 0; i < 100; i++) {
                points.append(i == 0 ? "" : ",").append("{\"name\":\"").append(name)
                        .append("\",\"labels\":{\"i\":\"").append(batch * 100 + i).append("\"},\"value\":1}");
            }
            post("/api/v1/points", scrape(points.toString())).statusCode(200).body("applied", equalTo(100));
        }
        String before = given().when().get("/api/v1/cursor").then().statusCode(200).extract().path("cursor");
        server.kill();
        server.start();
        awaitReady();
        List<String> ids = given().queryParam("name", name).when().get("/api/v1/series").then().statusCode(200)
                .extract().path("series.id");
        assertThat(ids).hasSize(500);
        // Another Redis process: nothing tells a clean restart from a lossy one, so the first write starts a new epoch.
        post("/api/v1/points", scrape("{\"name\":\"" + unique("after_crash") + "\",\"value\":1}")).statusCode(200);
        problem(given().queryParam("since", before).when().get("/api/v1/changes").then(), 410, "cursor-expired");
    }

    /**
     * A counter brought back older than the fences issued since, in another history of Redis (a restart from an older
     * file, a failover to a replica that missed the last acquires), does not bring those fences back: the counter is
     * raised to the seed, above the time floor of every replica's clock.
     */
    @Test
    void anOlderFenceCounterDoesNotReissueFences() {
        String lock = "/api/v1/locks/job/" + unique("restored");
        long issued = post(lock, "{\"ttl\":\"1s\"}").statusCode(201).extract().<Number>path("fence").longValue();
        redis.execute("HSET", "{metric-store}:meta", "fence", "1");
        redis.execute("HSET", "{metric-store}:meta", "fence_origin", "another-history");
        clock.advance(Duration.ofSeconds(1));
        post(lock, "{\"ttl\":\"30s\"}").statusCode(201).body("fence", greaterThan(issued));
    }

    /**
     * A Redis out of memory refuses the scripts' writes: Redis 6.2 wraps that refusal as a script error, which must
     * still be an outage (503), not a bug (500).
     */
    @Test
    void aRedisOutOfMemoryAnswers503() throws InterruptedException {
        String policy = redis.execute("CONFIG", "GET", "maxmemory-policy").get("maxmemory-policy").toString();
        redis.execute("CONFIG", "SET", "maxmemory-policy", "noeviction");
        redis.execute("CONFIG", "SET", "maxmemory", "1");
        try {
            problem(post("/api/v1/locks/job/" + unique("oom"), "{\"ttl\":\"30s\"}"), 503, "backend-unavailable");
            // Redis 6.2 checks memory only at a script's first write, and the write script may start with a removal
            // (allowed when out of memory), so a batch may still go through there; it is never a 500.
            post("/api/v1/points", scrape("{\"name\":\"" + unique("oom") + "\",\"value\":1}"))
                    .statusCode(anyOf(equalTo(200), equalTo(503)));
        } finally {
            redis.execute("CONFIG", "SET", "maxmemory", "0");
            redis.execute("CONFIG", "SET", "maxmemory-policy", policy);
        }
        awaitReady();
        post("/api/v1/points", scrape("{\"name\":\"" + unique("after_oom") + "\",\"value\":1}")).statusCode(200);
    }

    @Test
    void aFlushedRedisStartsANewEpochAndOldCursorsExpire() {
        post("/api/v1/points", scrape("{\"name\":\"" + unique("flushed") + "\",\"value\":1}")).statusCode(200);
        String old = given().when().get("/api/v1/cursor").then().statusCode(200).extract().path("cursor");
        String lock = "/api/v1/locks/job/" + unique("flushed");
        long fence = post(lock, "{\"ttl\":\"30s\"}").statusCode(201).extract().<Number>path("fence").longValue();
        redis.flushall();
        clock.advance(Duration.ofMillis(1));
        // The lost state's fences are not issued again: the new state's counter starts from the (later) time.
        post(lock, "{\"ttl\":\"30s\"}").statusCode(201).body("fence", greaterThan(fence));
        problem(given().queryParam("since", old).when().get("/api/v1/changes").then(), 410, "cursor-expired")
                .body("detail", containsString("earlier state"));
        String fresh = given().when().get("/api/v1/series").then().statusCode(200).extract().path("cursor");
        assertThat(fresh).isNotEqualTo(old);
        given().queryParam("since", fresh).when().get("/api/v1/changes").then().statusCode(200);
    }

    /**
     * A restart from an older append-only file brings back an older state with a sequence that was issued before. The
     * restarted Redis is another process, so the next write starts a new epoch (SPEC §5): cursors of the lost history
     * answer 410 and the follower's copy reloads, although the new writes' sequence numbers pass the old cursor's;
     * no lost fence is issued again.
     */
    @Test
    void aRestartFromAnOlderFileStartsANewEpochAndTheFollowerReloads() throws Exception {
        Assumptions.assumeTrue(server.controllable(), "the tests may not stop an external Redis");
        String kept = unique("kept");
        String lost = unique("lost");
        String written = unique("written");
        post("/api/v1/points", scrape(series(kept, 1, 1))).statusCode(200);
        long before = post("/api/v1/locks/job/" + unique("older"), "{\"ttl\":\"30s\"}").statusCode(201)
                .extract().<Number>path("fence").longValue();
        Path dir = Path.of(redis.execute("CONFIG", "GET", "dir").get("dir").toString());
        Path older = Files.createTempDirectory("metric-store-older-aof");
        copyAppendOnlyFiles(dir, older);

        post("/api/v1/points", scrape(series(lost, 10, 2) + "," + series(kept, 1, 2))).statusCode(200);
        long lostFence = post("/api/v1/locks/job/" + unique("lost"), "{\"ttl\":\"30s\"}").statusCode(201)
                .extract().<Number>path("fence").longValue();
        cache.refresh();
        String followed = given().when().get("/api/v1/cursor").then().statusCode(200).extract().path("cursor");
        assertThat(metricsLines(lost)).hasSize(10);

        server.kill();
        try (var files = Files.list(dir)) {
            for (Path file : files.filter(path -> path.getFileName().toString().startsWith("appendonly")).toList()) {
                deleteTree(file);
            }
        }
        copyAppendOnlyFiles(older, dir);
        server.start();
        awaitReady();
        // The fences' time floor moves with the clock, which in this test stands still unless moved: the restart
        // took at least as long as this in real time.
        clock.advance(Duration.ofMillis(100));

        // More new changes than were lost: their sequence numbers pass the follower's cursor.
        post("/api/v1/points", scrape(series(written, 20, 3))).statusCode(200);
        problem(given().queryParam("since", followed).when().get("/api/v1/changes").then(), 410, "cursor-expired");
        cache.refresh();
        assertThat(metricsLines(lost)).isEmpty();
        assertThat(metricsLines(written)).hasSize(20);
        assertThat(metricsLines(kept)).singleElement().asString().endsWith(" 1");
        given().queryParam("name", kept).when().get("/api/v1/series").then().body("series[0].value", equalTo(1.0f));
        post("/api/v1/locks/job/" + unique("after"), "{\"ttl\":\"30s\"}").statusCode(201)
                .body("fence", greaterThan(Math.max(before, lostFence)));
    }

    /** {@code count} series of one metric, each labelled by its index, all with the same value. */
    private static String series(String name, int count, double value) {
        StringBuilder points = new StringBuilder();
        for (int i = 0; i < count; i++) {
            points.append(i == 0 ? "" : ",").append("{\"name\":\"").append(name).append("\",\"labels\":{\"i\":\"")
                    .append(i).append("\"},\"value\":").append(value).append('}');
        }
        return points.toString();
    }

    /** The lines of this replica's {@code /metrics} (its follower copy) for one metric. */
    private static List<String> metricsLines(String name) {
        return given().when().get("/metrics").then().statusCode(200).extract().asString().lines()
                .filter(line -> line.startsWith(name + "{") || line.startsWith(name + " ")).toList();
    }

    /** Redis 6.2 keeps one {@code appendonly.aof}, Redis 7 a directory {@code appendonlydir}. */
    private static void copyAppendOnlyFiles(Path from, Path to) throws IOException {
        try (var files = Files.walk(from)) {
            for (Path file : files.filter(path -> from.relativize(path).toString().startsWith("appendonly")).toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (var files = Files.walk(root)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    /** A namespace of another key layout (another version): this replica writes nothing there and is not ready. */
    @Test
    void anotherKeyLayoutStopsWritesAndReadiness() {
        String name = unique("layout");
        post("/api/v1/points", scrape("{\"name\":\"" + name + "\",\"value\":1}")).statusCode(200);
        redis.execute("HSET", "{metric-store}:meta", "layout", "1");
        try {
            problem(post("/api/v1/points", scrape("{\"name\":\"" + name + "\",\"value\":2}")), 503,
                    "backend-unavailable").body("detail", containsString("key layout 1"));
            problem(post("/api/v1/locks/job/" + name, "{\"ttl\":\"30s\"}"), 503, "backend-unavailable")
                    .body("detail", containsString("key layout 1"));
            Management.given().when().get("/q/health/ready").then().statusCode(503)
                    .body("checks.find { it.name == 'store-backend' }.data.reason", containsString("key layout 1"));
        } finally {
            redis.execute("HSET", "{metric-store}:meta", "layout", RedisKeys.LAYOUT);
        }
        given().queryParam("name", name).when().get("/api/v1/series").then().body("series[0].value", equalTo(1.0f));
        post("/api/v1/points", scrape("{\"name\":\"" + name + "\",\"value\":3}")).statusCode(200);
        Management.given().when().get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void everyKeyOfTheNamespaceLivesInOneClusterSlot() {
        post("/api/v1/points", scrape("{\"name\":\"" + unique("slot") + "\",\"labels\":{\"a\":\"x\"},\"value\":1}"))
                .statusCode(200);
        post("/api/v1/locks/dedup/" + unique("slot"), "{\"ttl\":\"1m\"}").statusCode(201);
        given().when().post("/api/v1/admin/gc").then().statusCode(200);
        List<String> keys = new ArrayList<>();
        redis.key().scan(new KeyScanArgs().match("*").count(1000)).toIterable().forEach(keys::add);
        assertThat(keys).isNotEmpty().allMatch(key -> key.startsWith("{metric-store}:"));
        Set<Integer> slots = keys.stream().map(ClusterSlots::of).collect(Collectors.toSet());
        assertThat(slots).containsExactly(ClusterSlots.of("{metric-store}:seq"));
        assertThat(keys).contains("{metric-store}:meta", "{metric-store}:seq", "{metric-store}:index",
                "{metric-store}:changes");
    }

    /** Redis reclaims a series' memory by itself, but only after the store's rule has expired it (SPEC §5). */
    @Test
    void seriesKeysExpireInRedisAMarginAfterTheirRetention() {
        String name = unique("ttl");
        post("/api/v1/points", scrape("{\"name\":\"" + name + "\",\"value\":1}")).statusCode(200);
        long ttl = redis.key().pttl("{metric-store}:s:" + name);
        Response time = redis.execute("TIME");
        long redisNow = time.get(0).toLong() * 1000 + time.get(1).toLong() / 1000;
        long ruleExpiry = clock.instant().plus(Duration.ofHours(1)).toEpochMilli();
        assertThat(ttl).isPositive();
        assertThat(redisNow + ttl).isGreaterThanOrEqualTo(ruleExpiry + RedisBackend.EXPIRY_MARGIN.toMillis());
        given().when().get("/api/v1/series").then().body("series.id", hasItems(name));
    }

    /**
     * Ready, and both breakers closed: a half-open breaker lets one call through, which the watch's own polling may
     * take before the test's first request. Only a write closes the writes breaker again, so one is sent while it is not.
     */
    private static void awaitReady() throws InterruptedException {
        // Recovery runs on Redis' and the breaker's real time, which a test cannot move.
        PackagedJar.await(RedisFaultTest::readyWithTheCircuitClosed, Duration.ofSeconds(30), "readiness back");
        PackagedJar.await(RedisFaultTest::writesAccepted, Duration.ofSeconds(30), "writes back");
    }

    private static boolean writesAccepted() {
        String writes = given().get(Management.url("/q/health/ready"))
                .path("checks.find { it.name == 'store-backend' }.data.writes");
        return "closed".equals(writes) || post("/api/v1/points",
                scrape("{\"name\":\"fault_test_write\",\"value\":1}")).extract().statusCode() == 200;
    }

    private static boolean readyWithTheCircuitClosed() {
        try {
            io.restassured.response.Response ready = given().get(Management.url("/q/health/ready"));
            return ready.statusCode() == 200
                    && "closed".equals(ready.path("checks.find { it.name == 'store-backend' }.data.circuit"));
        } catch (RuntimeException notListening) {
            return false;
        }
    }
}
