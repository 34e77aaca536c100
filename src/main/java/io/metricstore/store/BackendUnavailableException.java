package io.metricstore.store;

/**
 * The backend could not be reached or did not answer in time. Not a refusal of the request: the same request may
 * succeed later, so the HTTP layer answers 503 with {@code Retry-After}.
 */
public class BackendUnavailableException extends RuntimeException {

    public BackendUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A failure of an operation that must not be repeated blindly (its first attempt may have taken effect). */
    public static class NotRetryable extends BackendUnavailableException {
        public NotRetryable(BackendUnavailableException cause) {
            super(cause.getMessage(), cause.getCause());
        }
    }
}
