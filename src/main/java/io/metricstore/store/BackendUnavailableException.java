package io.metricstore.store;

import java.time.Duration;

/**
 * The backend could not be reached, did not answer in time, or its circuit is open. Not a refusal of the request:
 * the same request may succeed later, so the HTTP layer answers 503 with {@code Retry-After} set from
 * {@link #retryAfter()}, which the party that knows (the backend's circuit breaker) fills in.
 */
public class BackendUnavailableException extends RuntimeException {

    private final Duration retryAfter;

    public BackendUnavailableException(String message, Throwable cause, Duration retryAfter) {
        super(message, cause);
        this.retryAfter = retryAfter;
    }

    /** How long a client should wait before it tries again. */
    public Duration retryAfter() {
        return retryAfter;
    }

    /** A failure of an operation that must not be repeated blindly (its first attempt may have taken effect). */
    public static class NotRetryable extends BackendUnavailableException {
        public NotRetryable(BackendUnavailableException cause) {
            super(cause.getMessage(), cause.getCause(), cause.retryAfter());
        }
    }
}
