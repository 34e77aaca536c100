package io.metricstore.store.redis;

import io.metricstore.store.BackendUnavailableException;
import io.metricstore.store.StoreException;
import io.smallrye.faulttolerance.api.ExponentialBackoff;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.function.Supplier;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;

/**
 * Retries, with exponential backoff and jitter, the Redis round trips that may safely run twice: reads, and writes
 * whose replay changes nothing (points come back unchanged, an acquire with the same token wins again). A failure
 * to reach Redis and a timeout are retried; a refusal ({@link StoreException}) and an open circuit are not. Each
 * attempt goes through {@link RedisGuard}'s timeout and circuit breaker, a bean of its own so that one breaker
 * counts every call, retried or not.
 *
 * <p>Every value can be overridden with the standard MicroProfile Fault Tolerance keys, for example
 * {@code io.metricstore.store.redis.RedisRetry/call/Retry/maxRetries=0}.
 */
@ApplicationScoped
public class RedisRetry {

    private final RedisGuard guard;

    public RedisRetry(RedisGuard guard) {
        this.guard = guard;
    }

    @Retry(maxRetries = 2, delay = 50, jitter = 25, maxDuration = 2000,
            retryOn = {BackendUnavailableException.class, TimeoutException.class},
            abortOn = StoreException.class)
    @ExponentialBackoff(factor = 4, maxDelay = 1000)
    public <T> T call(Supplier<T> roundTrip) {
        return guard.call(roundTrip);
    }
}
