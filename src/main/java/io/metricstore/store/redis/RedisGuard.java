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
    private static final long TIMEOUT_MILLIS = 1000;

    private final CircuitBreakerMaintenance maintenance;
    private final Duration retryAfter;
    private final Duration timeout;

    public RedisGuard(CircuitBreakerMaintenance maintenance, Config config) {
        this.maintenance = maintenance;
        this.retryAfter = configured(config, "CircuitBreaker", "delay", "delayUnit", BREAKER_DELAY_MILLIS);
        this.timeout = configured(config, "Timeout", "value", "unit", TIMEOUT_MILLIS);
    }

    /**
     * A duration of {@link #call}'s annotations as MicroProfile Fault Tolerance reads it, most specific key first: the
     * method's, then the global one (a class-level key does not apply to an annotation on a method).
     */
    private static Duration configured(Config config, String annotation, String property, String unitProperty,
                                       long defaultMillis) {
        long value = defaultMillis;
        ChronoUnit unit = ChronoUnit.MILLIS;
        String[] prefixes = {annotation + "/", RedisGuard.class.getName() + "/call/" + annotation + "/"};
        for (String prefix : prefixes) {
            value = config.getOptionalValue(prefix + property, Long.class).orElse(value);
            unit = config.getOptionalValue(prefix + unitProperty, ChronoUnit.class).orElse(unit);
        }
        return Duration.of(value, unit);
    }

    /** Bugs (an {@link IllegalStateException}, see {@link RedisFailures}) are not outages: the breaker skips them too. */
    @Timeout(TIMEOUT_MILLIS)
    @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.5, delay = BREAKER_DELAY_MILLIS, successThreshold = 1,
            skipOn = {StoreException.class, IllegalStateException.class})
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

    /** How long one round trip may take. */
    public Duration timeout() {
        return timeout;
    }
}
