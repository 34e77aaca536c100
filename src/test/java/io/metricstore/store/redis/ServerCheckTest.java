package io.metricstore.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.metricstore.store.BackendUnavailableException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The replica's clock against Redis' and the namespace's layout, probed at most once per interval. */
class ServerCheckTest {

    private static final Instant REDIS_TIME = Instant.parse("2026-11-26T08:00:00Z");

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final AtomicInteger probes = new AtomicInteger();
    private String layout = RedisKeys.LAYOUT;
    private long roundTripNanos = 0;

    /**
     * Redis' clock runs with this machine's monotonic clock, starting at {@link #REDIS_TIME}; a probe takes
     * {@link #roundTripNanos}, and Redis reads its clock halfway.
     */
    private final ServerCheck check = new ServerCheck(() -> {
        probes.incrementAndGet();
        nanos.addAndGet(roundTripNanos / 2);
        long redisMillis = REDIS_TIME.toEpochMilli() + (nanos.get() - 1_000_000_000L) / 1_000_000;
        nanos.addAndGet(roundTripNanos / 2);
        return new Replies.Probe(redisMillis, layout);
    }, nanos::get, Duration.ofMillis(500), Duration.ofSeconds(5));

    private void elapse(Duration duration) {
        nanos.addAndGet(duration.toNanos());
    }

    private Instant redisNow() {
        return REDIS_TIME.plusNanos(nanos.get() - 1_000_000_000L);
    }

    @Test
    void aClockWithinTheBoundIsFine() {
        assertThat(check.problem(redisNow())).isEmpty();
        assertThat(check.problem(redisNow().plusMillis(500))).isEmpty();
        assertThat(check.problem(redisNow().minusMillis(500))).isEmpty();
    }

    @Test
    void aClockBeyondTheBoundIsAProblemEitherWay() {
        assertThat(check.problem(redisNow().plusMillis(2000))).hasValueSatisfying(problem -> assertThat(problem)
                .startsWith("clock skew: this replica's clock is +2000 ms off Redis' clock")
                .contains("store.max-replica-skew (500 ms)"));
        assertThat(check.problem(redisNow().minusMillis(501))).hasValueSatisfying(problem -> assertThat(problem)
                .contains("-501 ms"));
        assertThatThrownBy(() -> check.require(redisNow().plusSeconds(120)))
                .isInstanceOf(BackendUnavailableException.class).hasMessageStartingWith("clock skew");
    }

    @Test
    void redisIsProbedAtMostOncePerIntervalAndItsTimeFollowsTheMonotonicClockBetween() {
        for (int i = 0; i < 10; i++) {
            assertThat(check.problem(redisNow())).isEmpty();
            elapse(Duration.ofMillis(400));
        }
        assertThat(probes).hasValue(1);
        elapse(Duration.ofSeconds(1));
        assertThat(check.problem(redisNow())).isEmpty();
        assertThat(probes).hasValue(2);
    }

    @Test
    void halfTheProbesRoundTripIsAllowedEitherWay() {
        roundTripNanos = Duration.ofMillis(400).toNanos();
        // Where in the round trip Redis read its clock is unknown: 200 ms either way are allowed beside the bound.
        assertThat(check.problem(redisNow().plusMillis(600))).isEmpty();
        assertThat(check.problem(redisNow().plusMillis(801))).isPresent();
    }

    @Test
    void anotherLayoutIsAProblemUntilAScriptSeesOursAgain() {
        layout = "1";
        assertThat(check.problem(redisNow())).hasValueSatisfying(problem -> assertThat(problem)
                .startsWith("the namespace holds key layout 1 and this version writes layout " + RedisKeys.LAYOUT));
        layout = RedisKeys.LAYOUT;
        assertThat(check.problem(redisNow())).isPresent();
        check.layoutSeen("1");
        assertThat(check.problem(redisNow())).isPresent();
        assertThat(probes).hasValue(1);
        check.layoutSeen(RedisKeys.LAYOUT);
        assertThat(check.problem(redisNow())).isEmpty();
        assertThat(probes).hasValue(2);
    }

    @Test
    void aNamespaceWithoutALayoutYetIsFine() {
        layout = "";
        assertThat(check.problem(redisNow())).isEmpty();
    }
}
