package io.metricstore.store.redis;

import io.metricstore.store.BackendUnavailableException;
import java.time.Duration;

/**
 * Redis answered, and refused a write because of its own state: out of memory under {@code noeviction}, a read-only
 * replica, persistence failing, too few replicas for its {@code min-replicas-to-write}. It still serves reads, so
 * this is an outage of writes only: the writes breaker counts it, the reads breaker does not.
 */
public class WritesRefused extends BackendUnavailableException {

    WritesRefused(String message, Throwable cause, Duration retryAfter) {
        super(message, cause, retryAfter);
    }
}
