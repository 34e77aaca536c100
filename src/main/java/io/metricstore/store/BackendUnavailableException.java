package io.metricstore.store;

import java.time.Duration;
import java.util.Objects;

/**
 * The backend could not be reached, did not answer in time, or its circuit is open. Not a refusal of the request:
 * the same request may succeed later, so the HTTP layer answers 503 with {@code Retry-After} set from
 * {@link #retryAfter()}, which whoever knows when to try again fills in (for Redis, the delay of the circuit breaker that refused;
 * for this replica's {@code /metrics} copy, its refresh interval).
 */
public class BackendUnavailableException extends RuntimeException {

    private final Duration retryAfter;

    public BackendUnavailableException(String message, Throwable cause, Duration retryAfter) {
        super(message, cause);
        this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
    }

    /** How long a client should wait before it tries again. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
