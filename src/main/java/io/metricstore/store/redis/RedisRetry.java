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
 * to reach Redis and a timeout are retried, and so is Redis refusing writes (a read-only replica during a failover
 * is gone a moment later); a refusal ({@link StoreException}) and an open circuit are not. Each attempt is a call of
 * {@link RedisGuard} (and for a write first {@link RedisWriteGuard}), beans of their own, so that their breakers
 * count every attempt, retried or not.
 *
 * <p>Every value can be overridden with the standard MicroProfile Fault Tolerance keys, for example
 * {@code io.metricstore.store.redis.RedisRetry/call/Retry/maxRetries=0}.
 */
@ApplicationScoped
public class RedisRetry {

    @Retry(maxRetries = 2, delay = 50, jitter = 25, maxDuration = 2000,
            retryOn = {BackendUnavailableException.class, TimeoutException.class},
            abortOn = StoreException.class)
    @ExponentialBackoff(factor = 4, maxDelay = 1000)
    public <T> T call(Supplier<T> guarded) {
        return guarded.get();
    }
}
