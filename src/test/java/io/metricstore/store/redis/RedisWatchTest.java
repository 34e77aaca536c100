package io.metricstore.store.redis;

import static io.metricstore.api.ApiTest.unique;
import static io.metricstore.store.TestStore.point;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.metricstore.LogCapture;
import io.metricstore.Management;
import io.metricstore.PackagedJar;
import io.metricstore.store.Signals;
import io.metricstore.store.StoreConfig;
import io.metricstore.store.TestStore;
import io.metricstore.store.model.Cursor;
import io.metricstore.watch.FeedWatch;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Redis watch across replicas and faults: two backends on one namespace play two replicas (A writes, B
 * watches), on a server of this test's own that it may kill and start again. B polls every 200 ms while its
 * subscription is down and never while it is up (its liveness check is an hour away), so a signal that arrives while
 * B is subscribed came through the subscription.
 */
@QuarkusTest
@TestProfile(RedisFaultTest.FastRecovery.class)
class RedisWatchTest {

    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @RedisControl.Inject
    RedisControl server;

    @Inject
    RedisDataSource redis;

    @Inject
    RedisContractBackends backends;

    @Inject
    StoreConfig appConfig;

    @Inject
    FeedWatch feedWatch;

    private final List<RedisBackend> opened = new ArrayList<>();
    private final Signals signals = new Signals(DEADLINE);
    private String namespace;
    private TestStore a;
    private TestStore b;

    @BeforeEach
    void twoReplicas() throws InterruptedException {
        awaitReady();
        namespace = "watch-" + unique("ns");
        a = replica(namespace);
        b = replica(namespace);
        b.backend.watch(signals);
        awaitSubscribers(namespace, 1);
        // Whatever B reported while it started is behind this write's signal.
        signals.await(write(a, "warm_up"));
        signals.clear();
    }

    @AfterEach
    void closeReplicas() {
        opened.forEach(RedisBackend::stopWatching);
    }

    @Test
    void aWriteThroughOneReplicaSignalsTheOther() throws InterruptedException {
        for (int i = 0; i < 5; i++) {
            // B may repeat an earlier signal first (its poll and a message can both tell one write): await this one.
            signals.await(write(a, "shared"));
        }
    }

    /**
     * With its subscription killed and refused, B still hears of every write (by polling); once Redis takes it again
     * B subscribes by itself, and hears of every later write through it.
     */
    @Test
    void aKilledSubscriptionIsReplacedAndNoWriteIsMissed() throws InterruptedException {
        redis.execute("ACL", "SETUSER", "default", "-subscribe");
        try {
            assertThat(redis.execute("CLIENT", "KILL", "TYPE", "pubsub").toLong()).isGreaterThanOrEqualTo(1);
            for (int i = 0; i < 3; i++) {
                Cursor written = write(a, "while_polling");
                signals.await(written);
            }
            assertThat(subscribers(namespace)).as("subscribers while SUBSCRIBE is refused").isZero();
        } finally {
            redis.execute("ACL", "SETUSER", "default", "+subscribe");
        }
        awaitSubscribers(namespace, 1);
        assertThat(redis.execute("CLIENT", "LIST", "TYPE", "pubsub").toString().lines())
                .as("pub/sub connections").isNotEmpty();
        for (int i = 0; i < 5; i++) {
            Cursor written = write(a, "subscribed_again");
            signals.await(written);
            assertThat(subscribers(namespace)).isEqualTo(1);
        }
    }

    /**
     * After Redis restarts, B and the application resubscribe by themselves: a write through A reaches B, and a
     * long-poll on the application started after that is woken by a write through another backend.
     */
    @Test
    void afterARestartWatchersRecoverByThemselves() throws Exception {
        Assumptions.assumeTrue(server.controllable(), "the tests may not stop an external Redis");
        server.kill();
        server.start();
        awaitReady();
        awaitSubscribers(namespace, 1);
        signals.await(write(a, "after_restart"));

        awaitSubscribers(appConfig.namespace(), 1);
        TestStore other = replica(appConfig.namespace());
        // The first write after the restart starts a new epoch, which expires the cursors from before (410).
        write(other, "new_epoch");
        String since = given().when().get("/api/v1/cursor").then().statusCode(200).extract().path("cursor");
        CompletableFuture<ExtractableResponse<Response>> longPoll = CompletableFuture.supplyAsync(() -> given()
                .queryParam("since", since).queryParam("wait", "10s")
                .when().get("/api/v1/changes").then().statusCode(200).extract());
        PackagedJar.await(() -> feedWatch.waiting() >= 1, DEADLINE, "the long-poll waiting");
        long start = System.nanoTime();
        String name = shortUnique("woken");
        other.scrape(point(name, 1));
        ExtractableResponse<Response> answer = longPoll.get(10, TimeUnit.SECONDS);
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(answer.<List<String>>path("events.id")).contains(name);
        // Woken by the write, long before the wait ends.
        assertThat(tookMillis).as("ms from the write to the answer").isLessThan(5000);
    }

    /**
     * A subscription that stays up but hears nothing (here: to a channel nobody publishes on, as a half-open
     * connection would) is noticed by the liveness check: the check's poll reports the change, and when no message
     * has carried it by the next check the watch subscribes again.
     */
    @Test
    void aSubscriptionThatHearsNothingIsReplaced() throws InterruptedException {
        LogCapture watchLog = LogCapture.of(RedisWatch.class);
        Signals deafSignals = new Signals(DEADLINE);
        try (RedisWatch deaf = new RedisWatch(redis.getReactive().getRedis(), "{" + namespace + "}:nobody-publishes",
                b.backend::cursor, Duration.ofMillis(200), Duration.ofSeconds(1))) {
            deaf.add(deafSignals);
            PackagedJar.await(deaf::subscribed, DEADLINE, "the deaf watch subscribed");
            Cursor written = write(a, "unheard");
            deafSignals.await(written);
            PackagedJar.await(() -> watchLog.contains("missed a change"), DEADLINE,
                    "the watch noticing that its subscription missed the write");
            PackagedJar.await(deaf::subscribed, DEADLINE, "the deaf watch subscribed again");
        } finally {
            watchLog.close();
        }
    }

    /**
     * A lease campaigned and resigned through A names itself to B's lease listeners (the {@code lease <fence> <name>}
     * messages); while B's subscription is refused, B's polls tell them that any lease may have changed.
     */
    @Test
    void aLeaseChangeThroughOneReplicaIsSignalledToTheOther() throws InterruptedException {
        BlockingQueue<Optional<String>> leases = new LinkedBlockingQueue<>();
        b.backend.watchLeases(leases::add);
        String name = shortUnique("leader");
        a.store.campaign(name, Duration.ofMinutes(1), "token-a", "pod-a", "exporter");
        awaitLease(leases, Optional.of(name));
        a.store.resign(name, "token-a", "exporter");
        awaitLease(leases, Optional.of(name));

        redis.execute("ACL", "SETUSER", "default", "-subscribe");
        try {
            assertThat(redis.execute("CLIENT", "KILL", "TYPE", "pubsub").toLong()).isGreaterThanOrEqualTo(1);
            PackagedJar.await(() -> subscribers(namespace) == 0, DEADLINE, "B's subscription gone");
            leases.clear();
            awaitLease(leases, Optional.empty());
            assertThat(subscribers(namespace)).as("subscribers while SUBSCRIBE is refused").isZero();
        } finally {
            redis.execute("ACL", "SETUSER", "default", "+subscribe");
        }
    }

    // ---- helpers

    /**
     * A backend on {@code namespace} that polls every 200 ms while unsubscribed, and checks once an hour; its cap is
     * far above what other tests leave in the application's namespace.
     */
    private TestStore replica(String namespace) {
        return new TestStore(Instant.now().truncatedTo(ChronoUnit.SECONDS), config -> {
            RedisBackend backend = (RedisBackend) backends.backend(config);
            opened.add(backend);
            return backend;
        }, "store.namespace", namespace, "store.max-replica-skew", "3650d", "store.max-series", "1000000",
                "store.exposition.refresh", "200ms", "store.changes.bookmark-interval", "1h");
    }

    /** Writes a new series named after {@code prefix} (names are short: the test stores allow 40 characters). */
    private static Cursor write(TestStore replica, String prefix) {
        return replica.scrape(point(shortUnique(prefix), 1)).cursor();
    }

    private static String shortUnique(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Waits for {@code lease} among the lease signals, skipping the others. */
    private static void awaitLease(BlockingQueue<Optional<String>> leases, Optional<String> lease)
            throws InterruptedException {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (true) {
            Optional<String> next = leases.poll(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            assertThat(next).as("a lease signal %s within %s", lease, DEADLINE).isNotNull();
            if (next.equals(lease)) {
                return;
            }
        }
    }

    /** How many connections subscribe to the watch channel of {@code namespace}. */
    private long subscribers(String namespace) {
        io.vertx.mutiny.redis.client.Response reply = redis.execute("PUBSUB", "NUMSUB", new RedisKeys(namespace).watch);
        return reply.get(1).toLong();
    }

    private void awaitSubscribers(String namespace, long count) throws InterruptedException {
        PackagedJar.await(() -> subscribers(namespace) == count, DEADLINE,
                count + " subscriber(s) of " + namespace + "'s watch channel");
    }

    private static void awaitReady() throws InterruptedException {
        PackagedJar.await(() -> PackagedJar.answers(Management.url("/q/health/ready"), 200), DEADLINE, "readiness");
    }
}
