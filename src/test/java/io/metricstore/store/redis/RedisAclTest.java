package io.metricstore.store.redis;

import static io.metricstore.api.ApiTest.post;
import static io.metricstore.api.ApiTest.problem;
import static io.metricstore.api.ApiTest.scrape;
import static io.metricstore.api.ApiTest.unique;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasSize;

import io.metricstore.Management;
import io.metricstore.PackagedJar;
import io.metricstore.exposition.FollowerCache;
import io.metricstore.store.MutableClock;
import io.metricstore.store.StoreConfig;
import io.metricstore.watch.FeedWatch;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The README's least-privilege ACL user is enough for everything the service does on Redis, and reaches nothing
 * outside its namespace. The user is made by the README's own {@code ACL SETUSER} line ({@link ReadmeAclUser}) on a
 * primary with one replica, and the application runs as that user with {@code store.redis.min-replicas-ack=1}, so
 * writes {@code WAIT} too. Every script runs through the HTTP API (leases and fenced writes included), and Redis
 * refuses none of it: its {@code ACL LOG} stays empty, and the test that takes {@code +hset} away shows that a refusal
 * would show there, and as a 503.
 *
 * <p>The scheduler is off, so only the test's requests reach Redis: the GC and the {@code /metrics} copy run when the
 * test asks, and after a restart nothing but readiness reaches Redis first (with {@code PING}).
 */
@QuarkusTest
@TestProfile(RedisAclTest.AsReadmeUser.class)
class RedisAclTest {

    public static class AsReadmeUser implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.scheduler.enabled", "false",
                    "store.redis.min-replicas-ack", "1",
                    "store.redis.min-replicas-ack-timeout", "500ms",
                    "io.metricstore.store.redis.RedisGuard/call/CircuitBreaker/delay", "2000",
                    "io.metricstore.store.redis.RedisWriteGuard/call/CircuitBreaker/delay", "2000");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(PrimaryAndReplica.class));
        }
    }

    /** Marks the {@link Servers} field {@link PrimaryAndReplica} fills in. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface Redis {
    }

    /** The servers and the user the application runs as. */
    public record Servers(RedisProcess primary, RedisProcess replica, ReadmeAclUser user) {

        /** Sends {@code command} to the primary as the README's user. */
        Object asUser(String... command) {
            return primary.callAs(user.name(), user.password(), command);
        }

        /**
         * The replica online in the primary's view and, in its own, linked, past the full resync and not loading it:
         * "online" alone can come before the replica has loaded the resync and answers {@code GETACK}, and until then
         * the application's {@code WAIT} (500 ms) finds no replica.
         */
        void awaitReplicaOnline() {
            RedisProcess.await(() -> String.valueOf(Resp.info(primary.port, "replication").get("slave0"))
                    .contains("state=online") && replicaCaughtUp(), Duration.ofSeconds(30), "the replica online",
                    List.of(primary, replica));
        }

        private boolean replicaCaughtUp() {
            Map<String, String> replication = Resp.info(replica.port, "replication");
            return "up".equals(replication.get("master_link_status"))
                    && "0".equals(replication.get("master_sync_in_progress"))
                    && "0".equals(Resp.info(replica.port, "persistence").get("loading"));
        }

        /** The primary's {@code ACL LOG}: what it refused, newest first, each entry as its fields. */
        List<Map<String, Object>> aclLog() {
            List<Map<String, Object>> entries = new ArrayList<>();
            for (Object entry : (List<?>) primary.call("ACL", "LOG")) {
                entries.add(fields((List<?>) entry));
            }
            return entries;
        }
    }

    /**
     * A primary and a replica, plain {@code redis-server} processes, the README's user made on the primary; the
     * application connects as that user, its password in the URL.
     */
    public static final class PrimaryAndReplica implements QuarkusTestResourceLifecycleManager {

        private Servers servers;

        @Override
        public Map<String, String> start() {
            ReadmeAclUser user = ReadmeAclUser.generate();
            List<String> durable = List.of("appendonly yes", "appendfsync always", "save \"\"");
            RedisProcess primary = RedisProcess.launch("acl-primary", false, false, port -> durable);
            RedisProcess replica = null;
            try {
                user.createOn(primary);
                // The replica connects as the default user, which the test's own calls use too.
                replica = RedisProcess.launch("acl-replica", false, false, port -> List.of(
                        "replicaof 127.0.0.1 " + primary.port, "save \"\""));
                servers = new Servers(primary, replica, user);
                servers.awaitReplicaOnline();
            } catch (RuntimeException | Error e) {
                servers = null;
                if (replica != null) {
                    replica.destroy();
                }
                primary.destroy();
                throw e;
            }
            return Map.of("store.backend", "redis",
                    "quarkus.redis.hosts", "redis://" + user.name() + ":" + user.password() + "@127.0.0.1:"
                            + primary.port);
        }

        @Override
        public void inject(TestInjector injector) {
            injector.injectIntoFields(servers, new TestInjector.AnnotatedAndMatchesType(Redis.class, Servers.class));
        }

        @Override
        public void stop() {
            if (servers != null) {
                servers.replica().destroy();
                servers.primary().destroy();
            }
        }
    }

    @Redis
    Servers redis;

    @Inject
    MutableClock clock;

    @Inject
    FollowerCache cache;

    @Inject
    StoreConfig config;

    @Inject
    FeedWatch feedWatch;

    @Test
    void everyScriptRunsAsTheReadmeUserAndRedisRefusesNothing() {
        // A namespace without state, so that the first read creates its epoch (init.lua).
        redis.primary().call("FLUSHALL");
        redis.primary().call("ACL", "LOG", "RESET");
        String empty = given().when().get("/api/v1/cursor").then().statusCode(200).extract().path("cursor");

        String name = unique("acl");
        String batch = "{\"role\":\"leader\",\"source\":\"leader_scrape\",\"points\":["
                + "{\"name\":\"" + name + "_total\",\"labels\":{\"code\":\"200\"},\"value\":7},"
                + "{\"name\":\"" + name + "_total\",\"labels\":{\"code\":\"500\"},\"value\":1}],"
                + "\"families\":{\"" + name + "\":{\"type\":\"counter\",\"help\":\"Requests served\"}}}";
        post("/api/v1/points", batch).statusCode(200).body("applied", equalTo(2));
        // A replay writes the sequence again and waits for the replica again.
        post("/api/v1/points", batch).statusCode(200).body("unchanged", equalTo(2));
        given().when().get("/api/v1/series").then().statusCode(200).body("series", hasSize(2));
        given().queryParam("name", name + "_total").when().get("/api/v1/series").then().statusCode(200)
                .body("series.labels.code", containsInAnyOrder("200", "500"));
        String next = given().queryParam("limit", "1").when().get("/api/v1/series").then().statusCode(200)
                .body("series", hasSize(1)).extract().path("next");
        given().queryParam("page", next).when().get("/api/v1/series").then().statusCode(200).body("series", hasSize(1));
        // A namespace of the previous key layout, which the first call that meets it migrates (migrate.lua).
        redis.primary().call("DEL", "{metric-store}:order");
        redis.primary().call("HSET", "{metric-store}:meta", "layout", "2/1");
        problem(given().when().get("/api/v1/series").then(), 503, "backend-unavailable")
                .body("detail", containsString("migrated"));
        given().when().get("/api/v1/series").then().statusCode(200).body("series", hasSize(2));
        String written = given().queryParam("since", empty).when().get("/api/v1/changes").then().statusCode(200)
                .body("events", hasSize(2)).extract().path("cursor");
        given().when().get("/api/v1/cursor").then().statusCode(200).body("cursor", equalTo(written));

        String lock = "/api/v1/locks/job/" + unique("acl");
        long fence = post(lock, "{\"ttl\":\"30s\",\"token\":\"t1\"}").statusCode(201)
                .extract().<Number>path("fence").longValue();
        problem(post(lock, "{\"ttl\":\"30s\",\"token\":\"t2\"}"), 409, "lock-held");
        given().when().get(lock).then().statusCode(200).body("held", equalTo(true)).body("fence", equalTo(fence));
        given().contentType(ContentType.JSON).body("{\"token\":\"t1\",\"ttl\":\"1m\"}").when().put(lock).then()
                .statusCode(200).body("fence", equalTo(fence));
        given().header("Lock-Token", "t1").when().delete(lock).then().statusCode(204);
        problem(given().when().get(lock).then(), 404, "lock-not-held");
        // A lease left to run out, for the GC.
        post("/api/v1/locks/dedup/" + unique("acl"), "{\"ttl\":\"1s\"}").statusCode(201);

        cache.refresh();
        given().when().get("/metrics").then().statusCode(200)
                .body(containsString("# HELP " + name + "_total Requests served\n# TYPE " + name + "_total counter\n"))
                .body(containsString(name + "_total{code=\"200\"} 7\n"));
        assertThat(Management.given().when().get("/q/metrics").then().statusCode(200).extract().asString())
                .containsPattern("(?m)^store_series_live(\\{[^}]*})? 2\\.0$");
        readiness().statusCode(200);

        clock.advance(config.retention().plusMinutes(1));
        given().when().post("/api/v1/admin/gc").then().statusCode(200)
                .body("expiredSeries", equalTo(2)).body("expiredLocks", greaterThanOrEqualTo(1));
        assertThat(redis.primary().call("HLEN", "{metric-store}:families")).isEqualTo(0L);
        given().queryParam("since", written).when().get("/api/v1/changes").then().statusCode(200)
                .body("events.deleted", contains(true, true));
        clock.advance(config.changes().tombstoneRetention().plusMinutes(1));
        given().when().post("/api/v1/admin/gc").then().statusCode(200).body("trimmedTombstones", equalTo(2));
        problem(given().queryParam("since", written).when().get("/api/v1/changes").then(), 410, "cursor-expired");
        cache.refresh();
        readiness().statusCode(200);

        assertThat(redis.aclLog()).as("what Redis refused the README's user").isEmpty();
        assertThat(((String) redis.primary().call("CLIENT", "LIST")).lines())
                .as("the application's connections").anyMatch(client -> client.contains(" flags=N ")
                        && client.contains(" user=" + redis.user().name() + " "));
    }

    /**
     * The lease calls and fenced writes as the README's user: campaign, renew, observe (also with {@code wait}) and
     * resign, whose scripts {@code PUBLISH} {@code lease <fence> <name>} on the watch channel, and batches written
     * under a lease and under a lock, accepted and refused, whose check runs inside the write's script. Redis refuses
     * none of it, and the lease is the hash the README's key layout names.
     */
    @Test
    void leasesAndFencedWritesRunAsTheReadmeUser() {
        redis.primary().call("ACL", "LOG", "RESET");
        String name = unique("acl-lease");
        String lease = "/api/v1/leases/" + name;
        long fence = post(lease, "{\"ttl\":\"30s\",\"token\":\"l1\",\"holder\":\"exporter-0\"}").statusCode(201)
                .body("holder", equalTo("exporter-0")).extract().<Number>path("fence").longValue();
        problem(post(lease, "{\"ttl\":\"30s\",\"token\":\"l2\",\"holder\":\"exporter-1\"}"), 409, "lease-held")
                .body("holder", equalTo("exporter-0")).body("fence", equalTo(fence));
        given().contentType(ContentType.JSON).body("{\"token\":\"l1\",\"ttl\":\"1m\"}").when().put(lease).then()
                .statusCode(200).body("fence", equalTo(fence));
        given().when().get(lease).then().statusCode(200).body("held", equalTo(true))
                .body("holder", equalTo("exporter-0")).body("fence", equalTo(fence));
        // With wait: from a fence that already differs (at once), and from the current one (at once or after 1 s).
        given().queryParam("wait", "5s").queryParam("fence", fence - 1).when().get(lease).then().statusCode(200)
                .body("fence", equalTo(fence));
        given().queryParam("wait", "1s").queryParam("fence", fence).when().get(lease).then().statusCode(200)
                .body("fence", equalTo(fence));
        assertThat(fields((List<?>) redis.primary().call("HGETALL", "{metric-store}:lock:lease:" + name)))
                .containsKeys("token", "fence", "exp", "owner", "holder").containsEntry("holder", "exporter-0");

        String metric = unique("acl_fenced");
        String underLease = "{\"role\":\"leader\",\"source\":\"leader_scrape\",\"lease\":{\"name\":\"" + name
                + "\",\"token\":\"%s\"},\"points\":[{\"name\":\"" + metric + "\",\"value\":%d}]}";
        post("/api/v1/points", String.format(underLease, "l1", 1)).statusCode(200).body("applied", equalTo(1))
                .body("fence", equalTo(fence));
        problem(post("/api/v1/points", String.format(underLease, "l2", 2)), 409, "not-leader")
                .body("holder", equalTo("exporter-0")).body("fence", equalTo(fence));

        String job = unique("acl-job");
        long lockFence = post("/api/v1/locks/job/" + job, "{\"ttl\":\"30s\",\"token\":\"w1\"}").statusCode(201)
                .extract().<Number>path("fence").longValue();
        String underLock = "{\"role\":\"follower\",\"source\":\"worker_backfill\",\"lock\":{\"kind\":\"job\",\"key\":\""
                + job + "\",\"token\":\"%s\"},\"points\":[{\"name\":\"" + metric + "_backfill\",\"value\":3}]}";
        post("/api/v1/points", String.format(underLock, "w1")).statusCode(200).body("fence", equalTo(lockFence));
        problem(post("/api/v1/points", String.format(underLock, "w2")), 409, "lock-lost")
                .body("kind", equalTo("job")).body("key", equalTo(job));

        given().header("Lease-Token", "l1").when().delete(lease).then().statusCode(204);
        given().when().get(lease).then().statusCode(200).body("held", equalTo(false));
        problem(post("/api/v1/points", String.format(underLease, "l1", 4)), 409, "not-leader");
        given().queryParam("name", metric).when().get("/api/v1/series").then().statusCode(200)
                .body("series.value", contains(1.0f));

        assertThat(redis.aclLog()).as("what Redis refused the README's user").isEmpty();
    }

    /**
     * After a restart the user is back (it was kept with {@code CONFIG REWRITE}, as the README says), readiness
     * reaches Redis again with {@code PING}, and the scripts are sent whole again ({@code EVAL} after
     * {@code NOSCRIPT}).
     */
    @Test
    void afterARestartTheReadmeUserReachesRedisAgain() throws InterruptedException {
        String name = unique("acl_restart");
        post("/api/v1/points", scrape("{\"name\":\"" + name + "\",\"value\":1}")).statusCode(200);
        redis.primary().kill();
        try {
            problem(post("/api/v1/points", scrape("{\"name\":\"" + name + "\",\"value\":2}")), 503,
                    "backend-unavailable");
        } finally {
            redis.primary().restart();
        }
        // Nothing but readiness reaches Redis until it reports the backend ready (the scheduler is off); the failed
        // attempts may have opened the circuit, which readiness waits out too.
        PackagedJar.await(() -> {
            Map<String, Object> backend = readiness().extract().path("checks.find { it.name == 'store-backend' }");
            return "UP".equals(backend.get("status")) && "closed".equals(((Map<?, ?>) backend.get("data")).get("circuit"));
        }, Duration.ofSeconds(30), "readiness reaching Redis again");
        redis.awaitReplicaOnline();
        // A replica just back from a full resync can still miss one WAIT of 500 ms on a loaded machine; the 503 says
        // to retry the write, and so does the test (an ACL refusal would answer 503 every time).
        PackagedJar.await(() -> post("/api/v1/points", scrape("{\"name\":\"" + name + "\",\"value\":3}"))
                .extract().statusCode() == 200, Duration.ofSeconds(30), "the write after the restart acknowledged");
        given().queryParam("name", name).when().get("/api/v1/series").then().statusCode(200)
                .body("series[0].value", equalTo(3.0f));
        assertThat(redis.aclLog()).as("what Redis refused the README's user").isEmpty();
    }

    /**
     * The check above is not vacuous: without one command of the line ({@code HSET}, called only from the scripts)
     * a write fails with 503, and the refusal is in the {@code ACL LOG}.
     */
    @Test
    void withoutACommandOfTheLineAWriteAnswers503() {
        redis.primary().call("ACL", "LOG", "RESET");
        String name = unique("acl_missing");
        redis.primary().call("ACL", "SETUSER", redis.user().name(), "-hset");
        try {
            problem(post("/api/v1/points", scrape("{\"name\":\"" + name + "\",\"value\":1}")), 503,
                    "backend-unavailable").body("detail", containsString("can't run this command"));
            // Redis 7 names the context lua; 6.2 names it multi once the script has written (it wraps the script's
            // effects in MULTI for the replica and the append-only file), as here the ZREM of a new series' tombstone.
            assertThat(redis.aclLog()).anySatisfy(entry -> assertThat(entry)
                    .containsEntry("username", redis.user().name())
                    .containsEntry("object", "hset")
                    .satisfies(refused -> assertThat(refused.get("context")).isIn("lua", "multi"))
                    .satisfies(refused -> assertThat(refused.get("client-info").toString()).contains(" cmd=eval")));
        } finally {
            redis.user().createOn(redis.primary());
        }
        post("/api/v1/points", scrape("{\"name\":\"" + name + "\",\"value\":1}")).statusCode(200);
    }

    /** The user is the README's, its password works, and everything outside its commands and keys is refused. */
    @Test
    void theReadmeUserReachesNothingOutsideItsNamespace() {
        List<String> users = ((List<?>) redis.primary().call("ACL", "LIST")).stream().map(Object::toString).toList();
        assertThat(users).anySatisfy(user -> assertThat(user).startsWith("user " + redis.user().name() + " on ")
                .contains("~{metric-store}:*").contains("-@all").doesNotContain("+@all"));
        Map<String, Object> rules = fields((List<?>) redis.primary().call("ACL", "GETUSER", redis.user().name()));
        // The namespace's watch channel only: Redis 6.2 lists channels, Redis 7 describes them in a string.
        assertThat(rules.get("channels")).satisfiesAnyOf(
                channels -> assertThat(channels).isEqualTo("&{metric-store}:watch"),
                channels -> assertThat(channels).isEqualTo(List.of("{metric-store}:watch")));

        assertThat(redis.asUser("PING")).isEqualTo("PONG");
        redis.asUser("GET", "{metric-store}:seq");
        for (String[] command : List.of(new String[] {"FLUSHALL"}, new String[] {"CONFIG", "GET", "*"},
                new String[] {"KEYS", "*"}, new String[] {"SET", "outside", "1"},
                new String[] {"SET", "{other-namespace}:seq", "1"}, new String[] {"PUBLISH", "other-channel", "x"},
                new String[] {"PUBLISH", "{other-namespace}:watch", "x"})) {
            assertThatThrownBy(() -> redis.asUser(command)).as(String.join(" ", command))
                    .isInstanceOf(Resp.ErrorReply.class).hasMessageStartingWith("NOPERM");
        }
        // Keys a script names are checked too, declared or not.
        assertThatThrownBy(() -> redis.asUser("EVAL", "return redis.call('GET', 'outside')", "0"))
                .isInstanceOf(Resp.ErrorReply.class).hasMessageContaining("can't access");
        assertThat(redis.primary().call("EXISTS", "outside", "{other-namespace}:seq")).isEqualTo(0L);
    }

    /**
     * The watch works as the README's user: the application's subscription to its namespace's channel is up on a
     * connection of that user, and a long-poll is woken by a write at once (the scripts' {@code PUBLISH} is allowed
     * too), with nothing in the {@code ACL LOG}. Redis 7 denies every channel the line does not name.
     */
    @Test
    void theWatchSubscribesAndWakesLongPollsAsTheReadmeUser() throws Exception {
        redis.primary().call("ACL", "LOG", "RESET");
        PackagedJar.await(() -> Long.valueOf(1).equals(((List<?>) redis.primary()
                        .call("PUBSUB", "NUMSUB", "{metric-store}:watch")).get(1)), Duration.ofSeconds(30),
                "the application subscribed to its watch channel");
        assertThat(((String) redis.primary().call("CLIENT", "LIST", "TYPE", "pubsub")).lines())
                .as("the subscribed connection").anyMatch(client -> client.contains(" user=" + redis.user().name() + " ")
                        && client.contains(" sub=1 "));
        String since = given().when().get("/api/v1/cursor").then().statusCode(200).extract().path("cursor");
        CompletableFuture<ValidatableResponse> longPoll = CompletableFuture.supplyAsync(() -> given()
                .queryParam("since", since).queryParam("wait", "10s").when().get("/api/v1/changes").then());
        PackagedJar.await(() -> feedWatch.waiting() >= 1, Duration.ofSeconds(10), "the long-poll waiting");
        String name = unique("acl_watch");
        post("/api/v1/points", scrape("{\"name\":\"" + name + "\",\"value\":1}")).statusCode(200);
        long written = System.nanoTime();
        longPoll.get(10, TimeUnit.SECONDS).statusCode(200).body("events.id", contains(name));
        // Woken by the message: while the subscription is up the watch polls nothing (it checks every 10 s).
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - written)).isLessThan(5000);
        assertThat(redis.aclLog()).as("what Redis refused the README's user").isEmpty();
    }

    /** Readiness, in one place: the probes may move to the management interface. */
    private static ValidatableResponse readiness() {
        return Management.given().when().get("/q/health/ready").then();
    }

    /** A reply of alternating names and values ({@code ACL LOG} entries, {@code ACL GETUSER}) as a map. */
    private static Map<String, Object> fields(List<?> reply) {
        Map<String, Object> fields = new HashMap<>();
        for (int i = 0; i + 1 < reply.size(); i += 2) {
            fields.put(reply.get(i).toString(), reply.get(i + 1));
        }
        return fields;
    }
}
