package io.metricstore.store.redis;

import io.metricstore.store.StoreException;
import io.smallrye.faulttolerance.api.CircuitBreakerName;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.function.Supplier;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

/**
 * The writes breaker, around every Redis round trip that writes (points, GC steps, lock and lease calls), in front of
 * {@link RedisGuard}'s timeout and reads breaker. It counts what the reads breaker counts and also Redis refusing
 * writes ({@link WritesRefused}), so a full or read-only Redis pauses writes alone while reads go on. Refusals of the
 * request ({@link StoreException}) and bugs are skipped, as there. A write that meets the reads breaker open counts
 * here as a failure too: an unreachable Redis opens both.
 *
 * <p>Configured with the standard MicroProfile Fault Tolerance keys of this class, for example
 * {@code io.metricstore.store.redis.RedisWriteGuard/call/CircuitBreaker/delay=10000}, or the global
 * {@code CircuitBreaker/delay}; the delay is the {@code Retry-After} of the 503s this breaker causes.
 */
@ApplicationScoped
public class RedisWriteGuard {

    /** The writes breaker's name, for its state in readiness and telemetry. */
    static final String CIRCUIT = "redis-writes";

    private final RedisGuard guard;

    public RedisWriteGuard(RedisGuard guard) {
        this.guard = guard;
    }

    @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.5, delay = RedisGuard.BREAKER_DELAY_MILLIS,
            successThreshold = 1, skipOn = {StoreException.class, IllegalStateException.class})
    @CircuitBreakerName(CIRCUIT)
    public <T> T call(Supplier<T> write) {
        try {
            return guard.call(write);
        } catch (CircuitBreakerOpenException readsOpen) {
            throw new ReadsOpen(readsOpen);
        }
    }

    /** The reads breaker refused a write: told apart from this breaker's own refusal, for the Retry-After. */
    static final class ReadsOpen extends RuntimeException {
        ReadsOpen(CircuitBreakerOpenException cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }
}
