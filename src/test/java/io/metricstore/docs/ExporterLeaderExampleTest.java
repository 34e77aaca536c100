package io.metricstore.docs;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.metricstore.Eventually;
import io.metricstore.api.ApiTest;
import io.metricstore.docs.ExporterLeaderExample.Sample;
import io.metricstore.store.MutableClock;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The README's exporter client ({@link ExporterLeaderExample}) does what the README says: two replicas of it elect
 * exactly one leader; when the leader resigns or is paused past its lease, the other takes over with a higher fence,
 * and the paused one's late write is refused and makes it step down. The store's clock is the tests' hand-moved one,
 * so a lease runs out when the test moves the clock past it, never because the machine is slow.
 */
@QuarkusTest
class ExporterLeaderExampleTest {

    private static final Duration TTL = Duration.ofSeconds(1);
    /** Short, so that the followers look again soon whichever way the store notices a lease running out. */
    private static final Duration OBSERVE_WAIT = Duration.ofSeconds(1);
    private static final Duration WITHIN = Duration.ofSeconds(15);

    @TestHTTPResource("/")
    URL url;

    @Inject
    MutableClock clock;

    private ExporterLeaderExample a;
    private ExporterLeaderExample b;

    @AfterEach
    void stop() throws InterruptedException {
        for (ExporterLeaderExample replica : new ExporterLeaderExample[] {a, b}) {
            if (replica != null) {
                replica.close();
            }
        }
    }

    @Test
    void exactlyOneLeadsAndTheOtherTakesOverWhenItResigns() throws Exception {
        String lease = start();
        ExporterLeaderExample leader = awaitOneLeader(lease);
        ExporterLeaderExample follower = leader == a ? b : a;
        long first = leader.fence().orElseThrow();
        // Renewals keep it: the store's time moves twice the TTL on, in steps that each renewal (every third of the
        // TTL) follows.
        for (int step = 0; step < 3; step++) {
            clock.advance(TTL.multipliedBy(2).dividedBy(3));
            Eventually.until(() -> Instant.parse(observed(lease).extract().path("expiresAt"))
                    .isAfter(clock.instant().plus(TTL.dividedBy(2))), WITHIN, "a renewal", Duration.ofMillis(50));
        }
        assertThat(leader.leading()).isTrue();
        assertThat(leader.fence().orElseThrow()).isEqualTo(first);
        assertThat(follower.leading()).isFalse();
        String metric = ApiTest.unique("up");
        assertThat(leader.write(sample(metric, 1))).isTrue();

        leader.close();
        Eventually.until(follower::leading, WITHIN, "the follower leading after the leader resigned");
        assertThat(follower.fence().orElseThrow()).isGreaterThan(first);
        assertThat(follower.write(sample(metric, 2))).isTrue();
        assertValue(metric, 2);
        observed(lease).body("holder", equalTo(follower.holder()));
    }

    @Test
    void aPausedLeaderIsDeposedAndItsLateWriteIsRefused() throws Exception {
        String lease = start();
        ExporterLeaderExample paused = awaitOneLeader(lease);
        ExporterLeaderExample other = paused == a ? b : a;
        long first = paused.fence().orElseThrow();
        String metric = ApiTest.unique("up");
        assertThat(paused.write(sample(metric, 1))).isTrue();

        CountDownLatch release = new CountDownLatch(1);
        paused.freeze(release);
        try {
            // The pause outlasts the lease: no renewal comes, and the store's time passes its expiry.
            clock.advance(TTL.plusMillis(1));
            Eventually.until(other::leading, WITHIN, "the other replica leading once the paused one's lease ran out",
                    Duration.ofMillis(50));
            assertThat(other.fence().orElseThrow()).isGreaterThan(first);
            assertThat(other.write(sample(metric, 2))).isTrue();

            // The paused replica still believes it leads; its late write is refused (409), and it steps down.
            assertThat(paused.leading()).isTrue();
            assertThat(paused.write(sample(metric, 99))).isFalse();
            assertThat(paused.leading()).isFalse();
        } finally {
            release.countDown();
        }
        assertValue(metric, 2);
        // Back from its pause, it follows: its queued renewal belongs to the ended term and does nothing.
        Thread.sleep(TTL.toMillis());
        assertThat(paused.leading()).isFalse();
        assertThat(other.leading()).isTrue();
        observed(lease).body("holder", equalTo(other.holder())).body("fence", equalTo(other.fence().orElseThrow()));
    }

    /** Starts two replicas on a lease of their own; returns its name. */
    private String start() throws URISyntaxException {
        String lease = ApiTest.unique("exporter-leader");
        URI store = url.toURI();
        a = new ExporterLeaderExample(store, lease, "exporter-0", TTL, OBSERVE_WAIT);
        b = new ExporterLeaderExample(store, lease, "exporter-1", TTL, OBSERVE_WAIT);
        a.start();
        b.start();
        return lease;
    }

    /** Waits until one replica leads, and checks that it is the only one and the holder the store shows. */
    private ExporterLeaderExample awaitOneLeader(String lease) {
        Eventually.until(() -> a.leading() || b.leading(), WITHIN, "a leader");
        assertThat(a.leading() && b.leading()).as("both lead").isFalse();
        ExporterLeaderExample leader = a.leading() ? a : b;
        observed(lease).body("held", equalTo(true)).body("holder", equalTo(leader.holder()))
                .body("fence", equalTo(leader.fence().orElseThrow()));
        return leader;
    }

    private static ValidatableResponse observed(String lease) {
        return given().when().get("/api/v1/leases/" + lease).then().statusCode(200);
    }

    private static List<Sample> sample(String metric, double value) {
        return List.of(new Sample(metric, Map.of("instance", "10.0.0.5:9100"), value));
    }

    private static void assertValue(String metric, double value) {
        given().queryParam("name", metric).when().get("/api/v1/series").then().statusCode(200)
                .body("series[0].value", equalTo((float) value));
    }
}
