package io.metricstore.store;

import io.metricstore.store.model.FieldError;
import io.metricstore.store.model.LockKind;
import io.metricstore.store.model.RuntimeRole;
import io.metricstore.store.model.WriteSource;
import java.time.Instant;
import java.util.List;

/** Every refusal the store can give. The HTTP layer maps each kind to one stable problem type. */
public abstract sealed class StoreException extends RuntimeException {

    protected StoreException(String message) {
        super(message, null, false, false);
    }

    /** Input that breaks a rule; names every offending field. */
    public static final class Validation extends StoreException {
        private final List<FieldError> errors;

        public Validation(List<FieldError> errors) {
            super(errors.size() == 1 ? "1 field is invalid" : errors.size() + " fields are invalid");
            this.errors = List.copyOf(errors);
        }

        public Validation(String field, String message) {
            this(List.of(new FieldError(field, message)));
        }

        public List<FieldError> errors() {
            return errors;
        }
    }

    /** The role may not write that source. */
    public static final class WriteForbidden extends StoreException {
        public WriteForbidden(RuntimeRole role, WriteSource source) {
            super("role '" + role.wire() + "' may not write source '" + source.wire() + "'");
        }
    }

    /** More points in one batch than {@code store.max-batch}. */
    public static final class BatchTooLarge extends StoreException {
        public BatchTooLarge(int size, int max) {
            super("the batch has " + size + " points, more than store.max-batch (" + max + ")");
        }
    }

    /** The batch would create more live series than {@code store.max-series}; nothing was written. */
    public static final class SeriesLimitExceeded extends StoreException {
        public SeriesLimitExceeded(long live, long created, long max) {
            super("the batch would create " + created + " new series beside " + live
                    + " live ones, more than store.max-series (" + max + "); nothing was written");
        }
    }

    /** A cursor that this service never produced. */
    public static final class MalformedCursor extends StoreException {
        public MalformedCursor() {
            super("the cursor is not one this service issued; take it from /series, /cursor or /changes");
        }
    }

    /** A cursor the feed can no longer serve: take a new snapshot. */
    public static final class CursorExpired extends StoreException {
        public CursorExpired(String reason) {
            super(reason + "; take a new snapshot");
        }
    }

    /** Somebody else holds the lock. */
    public static final class LockHeld extends StoreException {
        private final Instant expiresAt;

        public LockHeld(LockKind kind, String key, Instant expiresAt) {
            super(kind.wire() + " lock '" + key + "' is held by another owner until " + expiresAt);
            this.expiresAt = expiresAt;
        }

        /** When the current holder's lease ends, unless extended. */
        public Instant expiresAt() {
            return expiresAt;
        }
    }

    /** The lock is held, but with another token. */
    public static final class LockTokenMismatch extends StoreException {
        public LockTokenMismatch(LockKind kind, String key) {
            super(kind.wire() + " lock '" + key + "' is held with another token; nothing changed");
        }
    }

    /** Nobody holds the lock (it was released or expired). */
    public static final class LockNotHeld extends StoreException {
        public LockNotHeld(LockKind kind, String key) {
            super(kind.wire() + " lock '" + key + "' is not held");
        }
    }
}
