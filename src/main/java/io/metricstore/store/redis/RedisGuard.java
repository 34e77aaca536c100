package io.metricstore.store.redis;

import io.metricstore.store.BackendUnavailableException;
import io.metricstore.store.CircuitState;
import io.metricstore.store.StoreException;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerName;
import io.smallrye.faulttolerance.api.ExponentialBackoff;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;

/**
 * The fault tolerance around every Redis round trip: a timeout, retries with exponential backoff and jitter for
 * failures to reach Redis, and one circuit breaker for all calls. Refusals ({@link StoreException}) are answers,
 * not failures: they are neither retried nor counted by the breaker. Operations that must not run twice throw
 * {@link BackendUnavailableException.NotRetryable}, which aborts the retry but still counts as a failure.
 *
 * <p>Every value is in milliseconds and can be overridden with the standard MicroProfile Fault Tolerance keys, for
 * example {@code io.metricstore.store.redis.RedisGuard/call/Timeout/value=500}. The breaker's delay is also the
 * {@code Retry-After} of a 503, read from the same keys ({@link #retryAfter()}).
 */
@ApplicationScoped
public class RedisGuard {

    /** The breaker's name, for its state in readiness and telemetry. */
    public static final String CIRCUIT = "redis";
    private static final long BREAKER_DELAY_MILLIS = 5000;
    /** The MicroProfile keys of the breaker's delay, most specific first, as Fault Tolerance reads them. */
    private static final String[] BREAKER_DELAY_KEYS = {
        RedisGuard.class.getName() + "/call/CircuitBreaker/delay",
        RedisGuard.class.getName() + "/CircuitBreaker/delay",
        "CircuitBreaker/delay",
    };

    private final CircuitBreakerMaintenance maintenance;
    private final Duration retryAfter;

    public RedisGuard(CircuitBreakerMaintenance maintenance, Config config) {
        this.maintenance = maintenance;
        long delay = BREAKER_DELAY_MILLIS;
        for (int i = BREAKER_DELAY_KEYS.length - 1; i >= 0; i--) {
            delay = config.getOptionalValue(BREAKER_DELAY_KEYS[i], Long.class).orElse(delay);
        }
        this.retryAfter = Duration.ofMillis(delay);
    }

    @Timeout(1000)
    @Retry(maxRetries = 2, delay = 50, jitter = 25, maxDuration = 2000,
            retryOn = BackendUnavailableException.class,
            abortOn = {StoreException.class, BackendUnavailableException.NotRetryable.class})
    @ExponentialBackoff(factor = 4, maxDelay = 1000)
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
