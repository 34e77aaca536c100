package io.metricstore.store.redis;

import static io.metricstore.api.ApiTest.post;
import static io.metricstore.api.ApiTest.problem;
import static io.metricstore.api.ApiTest.scrape;
import static io.metricstore.api.ApiTest.unique;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.metricstore.PackagedJar;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code store.redis.min-replicas-ack}: a write (points, a lock) is acknowledged only once a replica confirms it
 * ({@code WAIT} on the write's connection); without a replica it answers 503, and the client's retry, a replay that
 * changes nothing, is acknowledged once the replica is back.
 */
@QuarkusTest
@TestProfile(RedisReplicaAckTest.OneReplicaMustConfirm.class)
class RedisReplicaAckTest {

    public static class OneReplicaMustConfirm implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("store.redis.min-replicas-ack", "1",
                    "store.redis.min-replicas-ack-timeout", "200ms");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(RedisPrimaryAndReplica.class));
        }
    }

    @RedisPrimaryAndReplica.Replica
    RedisControl replica;

    @Inject
    RedisDataSource primary;

    @Test
    void aWriteIsAcknowledgedOnlyOnceAReplicaHasIt() throws InterruptedException {
        awaitReplicaOnline();
        String name = unique("acked");
        String body = scrape("{\"name\":\"" + name + "\",\"value\":1}");
        post("/api/v1/points", body).statusCode(200).body("applied", equalTo(1));
        post("/api/v1/locks/job/" + name, "{\"ttl\":\"30s\",\"token\":\"t1\"}").statusCode(201);

        replica.kill();
        try {
            String lost = scrape("{\"name\":\"" + name + "\",\"value\":2}");
            problem(post("/api/v1/points", lost), 503, "backend-unavailable")
                    .body("detail", containsString("only 0 of the 1 Redis replicas"))
                    .header("Retry-After", equalTo("5"));
            problem(post("/api/v1/locks/job/" + unique("unacked"), "{\"ttl\":\"30s\",\"token\":\"t2\"}"), 503,
                    "backend-unavailable");
            // Reads need no replica.
            given().queryParam("name", name).when().get("/api/v1/series").then().statusCode(200);
            // A refusal wrote nothing, so it does not wait for a replica: it stays what it is.
            problem(post("/api/v1/locks/job/" + name, "{\"ttl\":\"30s\",\"token\":\"other\"}"), 409, "lock-held");
        } finally {
            replica.start();
        }
        awaitReplicaOnline();
        // The client retries: the primary already has the point, so the replay is unchanged, and acknowledged now.
        post("/api/v1/points", scrape("{\"name\":\"" + name + "\",\"value\":2}")).statusCode(200)
                .body("applied", equalTo(0)).body("unchanged", equalTo(1));
        post("/api/v1/locks/job/" + name, "{\"ttl\":\"30s\",\"token\":\"t1\"}").statusCode(201);
    }

    /**
     * A primary that becomes a replica and is promoted again keeps its process (run id) but not its replication
     * history: had its replica missed writes, the state it synced would be older than its cursors, so the next write
     * starts a new epoch (SPEC §5: a failover may rotate the epoch, and must when something was lost).
     */
    @Test
    void aPrimaryPromotedAgainStartsANewEpoch() throws Exception {
        awaitReplicaOnline();
        post("/api/v1/points", scrape("{\"name\":\"" + unique("before") + "\",\"value\":1}")).statusCode(200);
        String before = given().when().get("/api/v1/cursor").then().statusCode(200).extract().path("cursor");
        URI replicaUri = URI.create(replica.url());
        String self = primary.execute("CONFIG", "GET", "port").get("port").toString();
        Resp.call(replicaUri.getPort(), "REPLICAOF", "NO", "ONE");
        primary.execute("REPLICAOF", replicaUri.getHost(), Integer.toString(replicaUri.getPort()));
        PackagedJar.await(() -> primary.execute("INFO", "replication").toString().contains("master_link_status:up"),
                Duration.ofSeconds(30), "the primary synced as a replica");
        primary.execute("REPLICAOF", "NO", "ONE");
        Resp.call(replicaUri.getPort(), "REPLICAOF", replicaUri.getHost(), self);
        awaitReplicaOnline();

        post("/api/v1/points", scrape("{\"name\":\"" + unique("after") + "\",\"value\":1}")).statusCode(200);
        problem(given().queryParam("since", before).when().get("/api/v1/changes").then(), 410, "cursor-expired")
                .body("detail", containsString("earlier state"));
    }

    private void awaitReplicaOnline() throws InterruptedException {
        // Replication runs on Redis' own time, which a test cannot move.
        PackagedJar.await(() -> primary.execute("INFO", "replication").toString().contains("state=online"),
                Duration.ofSeconds(30), "the replica online");
        // Online is not yet acknowledging: a replica that has just synced may answer its first WAIT late.
        PackagedJar.await(this::replicaAcknowledges, Duration.ofSeconds(30), "the replica acknowledging a write");
    }

    /** Whether a write made now is confirmed by the replica within a second ({@code WAIT} on the write's connection). */
    private boolean replicaAcknowledges() {
        long[] confirmed = new long[1];
        primary.withConnection(connection -> {
            connection.execute("SET", "replica-ack-test:warm", "1");
            confirmed[0] = connection.execute("WAIT", "1", "1000").toLong();
        });
        return confirmed[0] == 1;
    }
}
