package io.metricstore.store.redis;

import io.metricstore.store.Breaker;
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
 * The fault tolerance around every Redis round trip: a timeout and the reads breaker, which every call passes (writes
 * pass {@link RedisWriteGuard}'s writes breaker first), so a Redis that does not answer pauses all calls. Refusals
 * ({@link StoreException}) are answers, not failures: no breaker counts them. Nor does this one count Redis refusing
 * writes only ({@link WritesRefused}): it still serves reads. Operations that may run twice go through
 * {@link RedisRetry}, which retries them on failures and timeouts.
 *
 * <p>Every value is in milliseconds and can be overridden with the standard MicroProfile Fault Tolerance keys, for
 * example {@code io.metricstore.store.redis.RedisGuard/call/Timeout/value=500} (the keys of the single breaker this
 * project had before, which is now the reads breaker). A breaker's delay is also the {@code Retry-After} of the 503s
 * it causes, read from the same keys ({@link #retryAfter}): the method's {@code …/call/CircuitBreaker/delay} and
 * {@code delayUnit}, else the global {@code CircuitBreaker/delay}.
 */
@ApplicationScoped
public class RedisGuard {

    /** The reads breaker's name, for its state in readiness and telemetry. */
    static final String READS_CIRCUIT = "redis-reads";
    static final long BREAKER_DELAY_MILLIS = 5000;
    private static final long TIMEOUT_MILLIS = 1000;

    private final CircuitBreakerMaintenance maintenance;
    private final Duration readsRetryAfter;
    private final Duration writesRetryAfter;
    private final Duration timeout;

    public RedisGuard(CircuitBreakerMaintenance maintenance, Config config) {
        this.maintenance = maintenance;
        this.readsRetryAfter = configured(config, RedisGuard.class, "CircuitBreaker", "delay", "delayUnit",
                BREAKER_DELAY_MILLIS);
        this.writesRetryAfter = configured(config, RedisWriteGuard.class, "CircuitBreaker", "delay", "delayUnit",
                BREAKER_DELAY_MILLIS);
        this.timeout = configured(config, RedisGuard.class, "Timeout", "value", "unit", TIMEOUT_MILLIS);
    }

    /**
     * A duration of the annotations on {@code bean}'s {@code call} as MicroProfile Fault Tolerance reads it, most
     * specific key first: the method's, then the global one (a class-level key does not apply to an annotation on a
     * method).
     */
    private static Duration configured(Config config, Class<?> bean, String annotation, String property,
                                       String unitProperty, long defaultMillis) {
        long value = defaultMillis;
        ChronoUnit unit = ChronoUnit.MILLIS;
        String[] prefixes = {annotation + "/", bean.getName() + "/call/" + annotation + "/"};
        for (String prefix : prefixes) {
            value = config.getOptionalValue(prefix + property, Long.class).orElse(value);
            unit = config.getOptionalValue(prefix + unitProperty, ChronoUnit.class).orElse(unit);
        }
        return Duration.of(value, unit);
    }

    /** Bugs (an {@link IllegalStateException}, see {@link RedisFailures}) are not outages: the breaker skips them too. */
    @Timeout(TIMEOUT_MILLIS)
    @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.5, delay = BREAKER_DELAY_MILLIS, successThreshold = 1,
            skipOn = {StoreException.class, IllegalStateException.class, WritesRefused.class})
    @CircuitBreakerName(READS_CIRCUIT)
    public <T> T call(Supplier<T> roundTrip) {
        return roundTrip.get();
    }

    public CircuitState circuit(Breaker breaker) {
        return switch (maintenance.currentState(breaker == Breaker.READS ? READS_CIRCUIT : RedisWriteGuard.CIRCUIT)) {
            case CLOSED -> CircuitState.CLOSED;
            case HALF_OPEN -> CircuitState.HALF_OPEN;
            case OPEN -> CircuitState.OPEN;
        };
    }

    /** How long an open breaker waits before it lets a call through again: when a client should retry. */
    public Duration retryAfter(Breaker breaker) {
        return breaker == Breaker.READS ? readsRetryAfter : writesRetryAfter;
    }

    /** How long one round trip may take. */
    public Duration timeout() {
        return timeout;
    }
}
