package io.metricstore.store.redis;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.metricstore.PackagedJar;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.response.ValidatableResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * The service on Redis Sentinel ({@link SentinelTopology}: a primary, a replica, three Sentinels), configured as the
 * README says, while the primary crashes or is switched over: writes keep coming through the HTTP API, answer 503
 * with {@code Retry-After} (never 500) until the client follows the new primary, then succeed again; readiness
 * recovers by itself; what was acknowledged after the failover is kept; and the old primary ends up a replica of the
 * new one. Each test writes series of a metric of its own and leaves the topology whole (two linked data nodes).
 */
@QuarkusTest
@TestProfile(RedisSentinelProfile.class)
class RedisSentinelTest {

    private static final Duration RECOVERY = Duration.ofSeconds(30);

    @SentinelTopology.Inject
    SentinelTopology sentinel;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicBoolean stop = new AtomicBoolean();
    private ExecutorService threads;

    /** One write of one point through the API: when it was sent and answered (nanoTime), and how. */
    record Write(String id, long sent, long answered, int status, Optional<String> retryAfter, String failure) {
    }

    /** One readiness probe: when it was answered (nanoTime) and its status. */
    record Probe(long answered, int status) {
    }

    @BeforeEach
    void startThreads() throws InterruptedException {
        threads = Executors.newFixedThreadPool(2);
        PackagedJar.await(() -> PackagedJar.answers(uri("/q/health/ready").toString(), 200), RECOVERY, "readiness");
    }

    @AfterEach
    void stopThreads() throws InterruptedException {
        stop.set(true);
        threads.shutdownNow();
        threads.awaitTermination(10, TimeUnit.SECONDS);
    }

    @Test
    void theServiceFollowsAFailoverAfterThePrimaryCrashed() throws Exception {
        List<Write> writes = new CopyOnWriteArrayList<>();
        List<Probe> probes = new CopyOnWriteArrayList<>();
        Future<?> writer = threads.submit(() -> write("sentinel_crash", writes));
        PackagedJar.await(() -> acknowledged(writes, 0, Long.MAX_VALUE).size() >= 20, RECOVERY,
                "20 writes acknowledged before the kill");

        long kill = System.nanoTime();
        int killed = sentinel.killPrimary();
        Future<?> prober = threads.submit(() -> probe(probes));
        int promoted = sentinel.awaitFailover(killed);
        long failover = System.nanoTime();
        PackagedJar.await(() -> acknowledged(writes, failover, Long.MAX_VALUE).size() >= 20, RECOVERY,
                "20 writes acknowledged after the failover");
        PackagedJar.await(() -> readyAgain(probes).isPresent(), RECOVERY, "readiness UP again");
        stop.set(true);
        writer.get(30, TimeUnit.SECONDS);
        prober.get(30, TimeUnit.SECONDS);

        long restart = System.nanoTime();
        sentinel.restart(killed);
        sentinel.awaitReplica(killed);
        long rejoined = System.nanoTime();
        assertThat(sentinel.primary()).isEqualTo(promoted);
        post("sentinel_crash", "after_rejoin").statusCode(200);

        assertOnlyOutages(writes);
        Write firstAfterKill = acknowledged(writes, kill, Long.MAX_VALUE).get(0);
        assertThat(Duration.ofNanos(firstAfterKill.answered() - kill)).isLessThan(RECOVERY);
        Probe ready = readyAgain(probes).orElseThrow();
        assertThat(Duration.ofNanos(ready.answered() - kill)).isLessThan(RECOVERY);

        Set<String> stored = stored("sentinel_crash");
        List<Write> afterFailover = acknowledged(writes, failover, Long.MAX_VALUE);
        assertThat(lost(afterFailover, stored)).isEmpty();
        // Replication is asynchronous: a point acknowledged just before the kill may be lost with the primary.
        List<Write> beforeKill = acknowledged(writes, 0, kill);
        List<Write> duringFailover = acknowledged(writes, kill, failover);
        // NO-ACKNOWLEDGED-POINT-LOST-WITH-MIN-REPLICAS-ACK: with store.redis.min-replicas-ack=1 (being built on
        // another branch) set in RedisSentinelProfile, assert here that none is:
        //     assertThat(lost(beforeKill, stored)).isEmpty();

        System.out.printf("Sentinel failover (%s): from kill -9 of the primary, %d ms until the Sentinels agreed on "
                        + "the new one, %d ms to the first acknowledged write, %d ms to readiness UP; %d writes "
                        + "answered 503; acknowledged points lost: %d of %d before the kill, %d of %d during the "
                        + "failover, %d of %d after it; the restarted node was a replica after %d ms%n",
                RedisProcess.binary(), millis(failover - kill), millis(firstAfterKill.answered() - kill),
                millis(ready.answered() - kill), refused(writes), lost(beforeKill, stored).size(), beforeKill.size(),
                lost(duringFailover, stored).size(), duringFailover.size(), lost(afterFailover, stored).size(),
                afterFailover.size(), millis(rejoined - restart));
    }

    /**
     * A switchover ({@code SENTINEL FAILOVER}, as an operator starts one) leaves the old primary running: Sentinel
     * promotes the replica, and turns the old primary into a replica (closing its clients' connections) only some
     * seconds later. Writes must go on without a 500, and what is acknowledged once the old primary replicates the
     * new one must be kept. What the old primary acknowledged after the promotion is lost when it resynchronises.
     */
    @Test
    void theServiceFollowsASwitchover() throws Exception {
        List<Write> writes = new CopyOnWriteArrayList<>();
        Future<?> writer = threads.submit(() -> write("sentinel_switchover", writes));
        PackagedJar.await(() -> acknowledged(writes, 0, Long.MAX_VALUE).size() >= 20, RECOVERY,
                "20 writes acknowledged before the switchover");
        long start = System.nanoTime();
        sentinel.switchover();
        long switched = System.nanoTime();
        PackagedJar.await(() -> acknowledged(writes, switched, Long.MAX_VALUE).size() >= 20, RECOVERY,
                "20 writes acknowledged after the switchover");
        stop.set(true);
        writer.get(30, TimeUnit.SECONDS);

        assertOnlyOutages(writes);
        Set<String> stored = stored("sentinel_switchover");
        List<Write> after = acknowledged(writes, switched, Long.MAX_VALUE);
        assertThat(lost(after, stored)).isEmpty();
        List<Write> before = acknowledged(writes, 0, start);
        List<Write> during = acknowledged(writes, start, switched);
        // NO-ACKNOWLEDGED-POINT-LOST-WITH-MIN-REPLICAS-ACK: with store.redis.min-replicas-ack=1, assert here:
        //     assertThat(lost(before, stored)).isEmpty();
        //     assertThat(lost(during, stored)).isEmpty();

        List<Write> lostDuring = lost(during, stored);
        System.out.printf("Sentinel switchover (%s): %d ms until the Sentinels agreed and the old primary "
                        + "replicated the new one, first acknowledged write %d ms after that; %d writes answered "
                        + "503; acknowledged points lost: %d of %d before, %d of %d during the switchover (sent %s "
                        + "ms after SENTINEL FAILOVER), %d of %d after it%n",
                RedisProcess.binary(), millis(switched - start), millis(after.get(0).answered() - switched),
                refused(writes), lost(before, stored).size(), before.size(), lostDuring.size(), during.size(),
                lostDuring.isEmpty() ? "-" : millis(lostDuring.get(0).sent() - start) + " to "
                        + millis(lostDuring.get(lostDuring.size() - 1).sent() - start),
                lost(after, stored).size(), after.size());
    }

    /**
     * NO-ACKNOWLEDGED-POINT-LOST-WITH-MIN-REPLICAS-ACK: the replica misses the writes (detached), then the primary
     * crashes and the replica is promoted. Without waiting for a replica's acknowledgement the service answers 200
     * to those writes and loses them (this test fails that way today); with {@code store.redis.min-replicas-ack=1}
     * it must refuse them (503) instead, so that no acknowledged point is lost.
     */
    @Test
    @Disabled("needs store.redis.min-replicas-ack=1 (being built on another branch): set it in RedisSentinelProfile")
    void noAcknowledgedPointIsLostWithMinReplicasAck() throws InterruptedException {
        sentinel.detachReplica();
        List<String> acknowledged = new ArrayList<>();
        for (int n = 0; n < 5; n++) {
            int status = post("sentinel_lagging", Integer.toString(n)).extract().statusCode();
            assertThat(status).as("write %d", n).isIn(200, 503);
            if (status == 200) {
                acknowledged.add(id("sentinel_lagging", Integer.toString(n)));
            }
        }
        int killed = sentinel.killPrimary();
        sentinel.awaitFailover(killed);
        PackagedJar.await(() -> PackagedJar.answers(uri("/q/health/ready").toString(), 200), RECOVERY,
                "readiness UP after the failover");
        Set<String> stored = stored("sentinel_lagging");
        sentinel.restart(killed);
        sentinel.awaitReplica(killed);
        assertThat(stored).containsAll(acknowledged);
    }

    /** Posts one point per request, each a series of its own, until stopped. */
    private void write(String metric, List<Write> writes) {
        for (int n = 0; !stop.get(); n++) {
            String id = id(metric, Integer.toString(n));
            long sent = System.nanoTime();
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/api/v1/points"))
                        .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(batch(metric, Integer.toString(n)))).build(),
                        HttpResponse.BodyHandlers.ofString());
                writes.add(new Write(id, sent, System.nanoTime(), response.statusCode(),
                        response.headers().firstValue("Retry-After"), null));
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                writes.add(new Write(id, sent, System.nanoTime(), 0, Optional.empty(), e.toString()));
            }
            pause(10);
        }
    }

    /** Asks for readiness every 100 ms until stopped. */
    private void probe(List<Probe> probes) {
        while (!stop.get()) {
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(uri("/q/health/ready"))
                        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.discarding());
                probes.add(new Probe(System.nanoTime(), response.statusCode()));
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                probes.add(new Probe(System.nanoTime(), 0));
            }
            pause(100);
        }
    }

    /** Every refusal is an outage (503 with Retry-After): never a 500, nor a dropped connection. */
    private static void assertOnlyOutages(List<Write> writes) {
        assertThat(writes).allSatisfy(write -> {
            assertThat(write.failure()).as(write.id()).isNull();
            assertThat(write.status()).as(write.id()).isIn(200, 503);
            if (write.status() == 503) {
                assertThat(write.retryAfter()).as("Retry-After of " + write.id()).isPresent();
            }
        });
    }

    /** The first UP after readiness went DOWN (or the first probe, if it never went DOWN). */
    private static Optional<Probe> readyAgain(List<Probe> probes) {
        int up = 0;
        while (up < probes.size() && probes.get(up).status() == 200) {
            up++;
        }
        return up == probes.size() && up > 0 ? Optional.of(probes.get(0))
                : probes.stream().skip(up).filter(probe -> probe.status() == 200).findFirst();
    }

    /** The writes answered 200 that were sent after {@code from} and up to {@code to} (nanoTime), in order. */
    private static List<Write> acknowledged(List<Write> writes, long from, long to) {
        return writes.stream().filter(write -> write.status() == 200 && write.sent() > from && write.sent() <= to)
                .toList();
    }

    private static List<Write> lost(List<Write> acknowledged, Set<String> stored) {
        return acknowledged.stream().filter(write -> !stored.contains(write.id())).toList();
    }

    private static long refused(List<Write> writes) {
        return writes.stream().filter(write -> write.status() == 503).count();
    }

    private static ValidatableResponse post(String metric, String n) {
        return given().contentType("application/json").body(batch(metric, n)).when().post("/api/v1/points").then();
    }

    private static String batch(String metric, String n) {
        return "{\"role\":\"leader\",\"source\":\"leader_scrape\",\"points\":[{\"name\":\"" + metric
                + "\",\"labels\":{\"n\":\"" + n + "\"},\"value\":1}]}";
    }

    private static String id(String metric, String n) {
        return metric + "{n=\"" + n + "\"}";
    }

    private static Set<String> stored(String metric) {
        List<String> ids = given().queryParam("name", metric).when().get("/api/v1/series").then().statusCode(200)
                .extract().path("series.id");
        return new HashSet<>(ids);
    }

    private static URI uri(String path) {
        return URI.create(RestAssured.baseURI + ":" + RestAssured.port + path);
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
