package io.metricstore.store.redis;

import io.metricstore.store.BackendUnavailableException;
import io.metricstore.store.StoreException;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerName;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.ExponentialBackoff;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.function.Supplier;
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
 * example {@code io.metricstore.store.redis.RedisGuard/call/Timeout/value=500}.
 */
@ApplicationScoped
public class RedisGuard {

    /** The breaker's name, for its state in readiness and telemetry. */
    public static final String CIRCUIT = "redis";

    private final CircuitBreakerMaintenance maintenance;

    public RedisGuard(CircuitBreakerMaintenance maintenance) {
        this.maintenance = maintenance;
    }

    @Timeout(1000)
    @Retry(maxRetries = 2, delay = 50, jitter = 25, maxDuration = 2000,
            retryOn = BackendUnavailableException.class,
            abortOn = {StoreException.class, BackendUnavailableException.NotRetryable.class})
    @ExponentialBackoff(factor = 4, maxDelay = 1000)
    @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.5, delay = 5000, successThreshold = 1,
            skipOn = StoreException.class)
    @CircuitBreakerName(CIRCUIT)
    public <T> T call(Supplier<T> roundTrip) {
        return roundTrip.get();
    }

    public CircuitBreakerState circuit() {
        return maintenance.currentState(CIRCUIT);
    }
}
