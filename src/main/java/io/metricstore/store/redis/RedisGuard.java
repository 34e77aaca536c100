package io.metricstore.store.redis;

import io.metricstore.store.CircuitState;
import io.metricstore.store.StoreException;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerName;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Timeout;

/**
 * The fault tolerance around every Redis round trip: a timeout and one circuit breaker for all calls. Refusals
 * ({@link StoreException}) are answers, not failures: the breaker does not count them. Operations that may run
 * twice go through {@link RedisRetry}, which retries this on failures and timeouts.
 *
 * <p>Every value is in milliseconds and can be overridden with the standard MicroProfile Fault Tolerance keys, for
 * example {@code io.metricstore.store.redis.RedisGuard/call/Timeout/value=500}. The breaker's delay is also the
 * {@code Retry-After} of a 503, read from the same MicroProfile keys ({@link #retryAfter()}): the method's
 * {@code …/call/CircuitBreaker/delay} and {@code delayUnit}, else the global {@code CircuitBreaker/delay}.
 */
@ApplicationScoped
public class RedisGuard {

    /** The breaker's name, for its state in readiness and telemetry. */
    public static final String CIRCUIT = "redis";
    private static final long BREAKER_DELAY_MILLIS = 5000;
    /**
     * Where MicroProfile Fault Tolerance reads the breaker's delay of {@link #call}, most specific first: the method's
     * key, then the global one (a class-level key does not apply to an annotation on a method).
     */
    private static final String[] BREAKER_KEYS = {
        RedisGuard.class.getName() + "/call/CircuitBreaker/",
        "CircuitBreaker/",
    };

    private final CircuitBreakerMaintenance maintenance;
    private final Duration retryAfter;

    public RedisGuard(CircuitBreakerMaintenance maintenance, Config config) {
        this.maintenance = maintenance;
        this.retryAfter = breakerDelay(config);
    }

    private static Duration breakerDelay(Config config) {
        long delay = BREAKER_DELAY_MILLIS;
        ChronoUnit unit = ChronoUnit.MILLIS;
        for (int i = BREAKER_KEYS.length - 1; i >= 0; i--) {
            delay = config.getOptionalValue(BREAKER_KEYS[i] + "delay", Long.class).orElse(delay);
            unit = config.getOptionalValue(BREAKER_KEYS[i] + "delayUnit", ChronoUnit.class).orElse(unit);
        }
        return Duration.of(delay, unit);
    }

    @Timeout(1000)
    @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.5, delay = BREAKER_DELAY_MILLIS, successThreshold = 1,
            skipOn = StoreException.class)
    @CircuitBreakerName(CIRCUIT)
    public <T> T call(Supplier<T> roundTrip) {
        return roundTrip.get();
    }

    public CircuitState circuit() {
        return switch (maintenance.currentState(CIRCUIT)) {
            case CLOSED -> CircuitState.CLOSED;
            case HALF_OPEN -> CircuitState.HALF_OPEN;
            case OPEN -> CircuitState.OPEN;
        };
    }

    /** How long an open breaker waits before it lets a call through again: when a client should retry. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
