package io.metricstore.store.redis;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.metricstore.Management;
import io.metricstore.PackagedJar;
import io.restassured.RestAssured;
import io.restassured.response.ValidatableResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
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
import org.junit.jupiter.api.Test;

/**
 * The service on Redis Sentinel ({@link SentinelTopology}: a primary, a replica, three Sentinels), configured as the
 * README says, while the primary crashes or is switched over: writes keep coming through the HTTP API, answer 503
 * with {@code Retry-After} (never 500) until the client follows the new primary, then succeed again; readiness
 * recovers by itself; what was acknowledged after the failover is kept, and with {@code store.redis.min-replicas-ack=1}
 * everything acknowledged is; and the old primary ends up a replica of the new one. Each test writes series of a
 * metric of its own and leaves the topology whole (two linked data nodes). The subclasses run these with and without
 * the replica's acknowledgement.
 */
abstract class SentinelFailovers {

    static final Duration RECOVERY = Duration.ofSeconds(30);

    /** The topology of the subclass' profile. */
    abstract SentinelTopology sentinel();

    /** Whether the profile sets {@code store.redis.min-replicas-ack=1}. */
    abstract boolean replicaAcknowledges();

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
        SentinelTopology sentinel = sentinel();
        String metric = "sentinel_crash_" + (replicaAcknowledges() ? "ack" : "async");
        List<Write> writes = new CopyOnWriteArrayList<>();
        List<Probe> probes = new CopyOnWriteArrayList<>();
        Future<?> writer = threads.submit(() -> write(metric, writes));
        PackagedJar.await(() -> acknowledged(writes, 0, Long.MAX_VALUE).size() >= 20, RECOVERY,
                "20 writes acknowledged before the kill");
        String lock = "/api/v1/locks/job/" + metric;
        long fence = given().contentType("application/json").body("{\"ttl\":\"5m\",\"token\":\"holder\"}")
                .when().post(lock).then().statusCode(201).extract().<Number>path("fence").longValue();

        long kill = System.nanoTime();
        int killed = sentinel.killPrimary();
        Future<?> prober = threads.submit(() -> probe(probes));
        int promoted = sentinel.awaitFailover(killed);
        long failover = System.nanoTime();
        long restart = failover;
        long rejoined = 0;
        if (replicaAcknowledges()) {
            // The new primary has no replica to confirm writes until the old one is back as its replica.
            sentinel.restart(killed);
            sentinel.awaitReplica(killed);
            rejoined = System.nanoTime();
        }
        PackagedJar.await(() -> acknowledged(writes, failover, Long.MAX_VALUE).size() >= 20, RECOVERY,
                "20 writes acknowledged after the failover");
        PackagedJar.await(() -> readyAgain(probes).isPresent(), RECOVERY, "readiness UP again");
        stop.set(true);
        writer.get(30, TimeUnit.SECONDS);
        prober.get(30, TimeUnit.SECONDS);

        if (!replicaAcknowledges()) {
            restart = System.nanoTime();
            sentinel.restart(killed);
            sentinel.awaitReplica(killed);
            rejoined = System.nanoTime();
        }
        assertThat(sentinel.primary()).isEqualTo(promoted);
        post(metric, "after_rejoin").statusCode(200);

        assertOnlyOutages(writes);
        if (replicaAcknowledges()) {
            // The acknowledged lock survived the failover: still held, by the same holder, with the same fence.
            given().when().get(lock).then().statusCode(200).body("fence", equalTo(fence));
            given().contentType("application/json").body("{\"ttl\":\"5m\",\"token\":\"other\"}").when().post(lock)
                    .then().statusCode(409);
        }
        Write firstAfterKill = acknowledged(writes, kill, Long.MAX_VALUE).get(0);
        assertThat(Duration.ofNanos(firstAfterKill.answered() - kill)).isLessThan(RECOVERY);
        Probe ready = readyAgain(probes).orElseThrow();
        assertThat(Duration.ofNanos(ready.answered() - kill)).isLessThan(RECOVERY);

        Set<String> stored = stored(metric);
        List<Write> afterFailover = acknowledged(writes, failover, Long.MAX_VALUE);
        assertThat(lost(afterFailover, stored)).isEmpty();
        List<Write> beforeKill = acknowledged(writes, 0, kill);
        List<Write> duringFailover = acknowledged(writes, kill, failover);
        if (replicaAcknowledges()) {
            assertThat(lost(beforeKill, stored)).isEmpty();
            assertThat(lost(duringFailover, stored)).isEmpty();
        }
        // Without it replication is asynchronous: a point acknowledged just before the kill may be lost with the
        // primary (the figures below say how many were).

        System.out.printf("Sentinel failover (%s, min-replicas-ack %d): from kill -9 of the primary, %d ms until the Sentinels agreed on "
                        + "the new one, %d ms to the first acknowledged write, %d ms to readiness UP; %d writes "
                        + "answered 503; acknowledged points lost: %d of %d before the kill, %d of %d during the "
                        + "failover, %d of %d after it; the restarted node was a replica after %d ms%n",
                RedisProcess.binary(), replicaAcknowledges() ? 1 : 0, millis(failover - kill),
                millis(firstAfterKill.answered() - kill),
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
        SentinelTopology sentinel = sentinel();
        String metric = "sentinel_switchover_" + (replicaAcknowledges() ? "ack" : "async");
        List<Write> writes = new CopyOnWriteArrayList<>();
        Future<?> writer = threads.submit(() -> write(metric, writes));
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
        Set<String> stored = stored(metric);
        List<Write> after = acknowledged(writes, switched, Long.MAX_VALUE);
        assertThat(lost(after, stored)).isEmpty();
        List<Write> before = acknowledged(writes, 0, start);
        List<Write> during = acknowledged(writes, start, switched);
        if (replicaAcknowledges()) {
            // The old primary keeps taking writes until it is turned into a replica, but none reaches a replica.
            assertThat(lost(before, stored)).isEmpty();
            assertThat(lost(during, stored)).isEmpty();
        }

        List<Write> lostDuring = lost(during, stored);
        System.out.printf("Sentinel switchover (%s, min-replicas-ack %d): %d ms until the Sentinels agreed and the old primary "
                        + "replicated the new one, first acknowledged write %d ms after that; %d writes answered "
                        + "503; acknowledged points lost: %d of %d before, %d of %d during the switchover (sent %s "
                        + "ms after SENTINEL FAILOVER), %d of %d after it%n",
                RedisProcess.binary(), replicaAcknowledges() ? 1 : 0, millis(switched - start),
                millis(after.get(0).answered() - switched),
                refused(writes), lost(before, stored).size(), before.size(), lostDuring.size(), during.size(),
                lostDuring.isEmpty() ? "-" : millis(lostDuring.get(0).sent() - start) + " to "
                        + millis(lostDuring.get(lostDuring.size() - 1).sent() - start),
                lost(after, stored).size(), after.size());
    }

    /** Posts one point per request, each a series of its own, until stopped. */
    void write(String metric, List<Write> writes) {
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
    void probe(List<Probe> probes) {
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
    static void assertOnlyOutages(List<Write> writes) {
        assertThat(writes).allSatisfy(write -> {
            assertThat(write.failure()).as(write.id()).isNull();
            assertThat(write.status()).as(write.id()).isIn(200, 503);
            if (write.status() == 503) {
                assertThat(write.retryAfter()).as("Retry-After of " + write.id()).isPresent();
            }
        });
    }

    /** The first UP after readiness went DOWN (or the first probe, if it never went DOWN). */
    static Optional<Probe> readyAgain(List<Probe> probes) {
        int up = 0;
        while (up < probes.size() && probes.get(up).status() == 200) {
            up++;
        }
        return up == probes.size() && up > 0 ? Optional.of(probes.get(0))
                : probes.stream().skip(up).filter(probe -> probe.status() == 200).findFirst();
    }

    /** The writes answered 200 that were sent after {@code from} and up to {@code to} (nanoTime), in order. */
    static List<Write> acknowledged(List<Write> writes, long from, long to) {
        return writes.stream().filter(write -> write.status() == 200 && write.sent() > from && write.sent() <= to)
                .toList();
    }

    static List<Write> lost(List<Write> acknowledged, Set<String> stored) {
        return acknowledged.stream().filter(write -> !stored.contains(write.id())).toList();
    }

    static long refused(List<Write> writes) {
        return writes.stream().filter(write -> write.status() == 503).count();
    }

    static ValidatableResponse post(String metric, String n) {
        return given().contentType("application/json").body(batch(metric, n)).when().post("/api/v1/points").then();
    }

    static String batch(String metric, String n) {
        return "{\"role\":\"leader\",\"source\":\"leader_scrape\",\"points\":[{\"name\":\"" + metric
                + "\",\"labels\":{\"n\":\"" + n + "\"},\"value\":1}]}";
    }

    static String id(String metric, String n) {
        return metric + "{n=\"" + n + "\"}";
    }

    static Set<String> stored(String metric) {
        List<String> ids = given().queryParam("name", metric).when().get("/api/v1/series").then().statusCode(200)
                .extract().path("series.id");
        return new HashSet<>(ids);
    }

    /** The API's port, or the management interface's for the probes under /q/. */
    static URI uri(String path) {
        return URI.create(path.startsWith("/q/") ? Management.url(path) : RestAssured.baseURI + ":" + RestAssured.port + path);
    }

    static long millis(long nanos) {
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
