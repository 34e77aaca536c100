package io.metricstore.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.metricstore.store.BackendUnavailableException;
import java.time.Duration;
import io.metricstore.store.MutableClock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The replica's clock against Redis' and the namespace's layout, probed at most once per interval. */
class ServerCheckTest {

    private static final Instant REDIS_TIME = Instant.parse("2026-11-26T08:00:00Z");

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final AtomicInteger probes = new AtomicInteger();
    private String layout = RedisKeys.LAYOUT;
    private String policy = "noeviction";
    private long roundTripNanos = 0;
    private RuntimeException failure;
    /** This replica's clock, which tests set relative to Redis'. */
    private final MutableClock clock = new MutableClock(REDIS_TIME);

    /**
     * Redis' clock runs with this machine's monotonic clock, starting at {@link #REDIS_TIME}; a probe takes
     * {@link #roundTripNanos}, and Redis reads its clock halfway.
     */
    private final ServerCheck check = new ServerCheck(() -> {
        probes.incrementAndGet();
        if (failure != null) {
            throw failure;
        }
        nanos.addAndGet(roundTripNanos / 2);
        long redisMillis = REDIS_TIME.toEpochMilli() + (nanos.get() - 1_000_000_000L) / 1_000_000;
        nanos.addAndGet(roundTripNanos / 2);
        return new Replies.Probe(redisMillis, layout, policy);
    }, nanos::get, clock, Duration.ofMillis(500), Duration.ofSeconds(5));

    private void elapse(Duration duration) {
        nanos.addAndGet(duration.toNanos());
    }

    private Instant redisNow() {
        return REDIS_TIME.plusNanos(nanos.get() - 1_000_000_000L);
    }

    /** This replica's clock {@code offset} from Redis' (which the probe reads after this, in the same instant). */
    private void offBy(long offsetMillis) {
        clock.set(redisNow().plusMillis(offsetMillis));
    }

    private Optional<String> problemAt(long offsetMillis) {
        offBy(offsetMillis);
        return check.problem();
    }

    private void requireAt(long offsetMillis) {
        offBy(offsetMillis);
        check.require();
    }

    @Test
    void aClockWithinTheBoundIsFine() {
        assertThat(problemAt(0)).isEmpty();
        assertThat(problemAt(500)).isEmpty();
        assertThat(problemAt(-500)).isEmpty();
    }

    @Test
    void aClockBeyondTheBoundIsAProblemEitherWay() {
        assertThat(problemAt(2000)).hasValueSatisfying(problem -> assertThat(problem)
                .startsWith("clock skew: this replica's clock is +2000 ms off Redis' clock")
                .contains("store.max-replica-skew (500 ms)"));
        assertThat(problemAt(-501)).hasValueSatisfying(problem -> assertThat(problem)
                .contains("-501 ms"));
        assertThatThrownBy(() -> requireAt(120_000))
                .isInstanceOf(BackendUnavailableException.class).hasMessageStartingWith("clock skew");
    }

    @Test
    void redisIsProbedAtMostOncePerIntervalAndItsTimeFollowsTheMonotonicClockBetween() {
        for (int i = 0; i < 10; i++) {
            assertThat(problemAt(0)).isEmpty();
            elapse(Duration.ofMillis(400));
        }
        assertThat(probes).hasValue(1);
        elapse(Duration.ofSeconds(1));
        assertThat(problemAt(0)).isEmpty();
        assertThat(probes).hasValue(2);
    }

    @Test
    void halfTheProbesRoundTripIsAllowedEitherWay() {
        roundTripNanos = Duration.ofMillis(400).toNanos();
        assertThat(problemAt(0)).isEmpty();
        // Where in the round trip Redis read its clock is unknown: 200 ms either way are allowed beside the bound.
        assertThat(problemAt(700)).isEmpty();
        assertThat(problemAt(-700)).isEmpty();
        assertThat(problemAt(701)).isPresent();
    }

    @Test
    void anotherLayoutIsAProblemUntilAScriptSeesOursAgain() {
        layout = "1";
        assertThat(problemAt(0)).hasValueSatisfying(problem -> assertThat(problem)
                .startsWith("the namespace holds key layout 1 and this version writes layout " + RedisKeys.LAYOUT));
        layout = RedisKeys.LAYOUT;
        assertThat(problemAt(0)).isPresent();
        check.layoutSeen("1");
        assertThat(problemAt(0)).isPresent();
        assertThat(probes).hasValue(1);
        check.layoutSeen(RedisKeys.LAYOUT);
        assertThat(problemAt(0)).isEmpty();
        assertThat(probes).hasValue(2);
    }

    @Test
    void aRedisThatMayEvictKeysIsAProblem() {
        policy = "volatile-lru";
        assertThat(problemAt(0)).hasValueSatisfying(problem -> assertThat(problem)
                .contains("maxmemory-policy volatile-lru").contains("noeviction"));
    }

    @Test
    void aFailedProbeIsNotRepeatedForASecond() {
        failure = new BackendUnavailableException("Redis is unavailable: refused", null, Duration.ofSeconds(5));
        assertThatThrownBy(() -> problemAt(0)).isSameAs(failure);
        assertThatThrownBy(() -> requireAt(0)).isSameAs(failure);
        assertThat(probes).hasValue(1);
        elapse(ServerCheck.FAILURE_HOLD);
        failure = null;
        assertThat(problemAt(0)).isEmpty();
        assertThat(probes).hasValue(2);
    }

    @Test
    void whileProbesFailARecentSampleStillServes() {
        assertThat(problemAt(0)).isEmpty();
        elapse(ServerCheck.INTERVAL);
        failure = new BackendUnavailableException("Redis is unavailable: refused", null, Duration.ofSeconds(5));
        assertThat(problemAt(0)).isEmpty();
        assertThat(problemAt(3000)).isPresent();
        elapse(ServerCheck.INTERVAL);
        assertThatThrownBy(() -> requireAt(0)).isSameAs(failure);
        assertThat(probes).hasValue(3);
    }

    @Test
    void aNamespaceWithoutALayoutYetIsFine() {
        layout = "";
        assertThat(problemAt(0)).isEmpty();
    }
}
