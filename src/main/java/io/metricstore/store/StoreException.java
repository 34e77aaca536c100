package io.metricstore.store;

import io.metricstore.store.model.FieldError;
import io.metricstore.store.model.LeaseState;
import io.metricstore.store.model.LockKind;
import io.metricstore.store.model.RuntimeRole;
import io.metricstore.store.model.WriteSource;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Every refusal the store can give. Each class has one {@link Kind}; the HTTP layer maps kinds to stable problem
 * types with a switch the compiler checks, so a new kind cannot go unmapped.
 */
public abstract sealed class StoreException extends RuntimeException {

    /** The kinds of refusal, one per subclass. */
    public enum Kind {
        VALIDATION,
        WRITE_FORBIDDEN,
        BATCH_TOO_LARGE,
        SERIES_LIMIT_EXCEEDED,
        FAMILY_LIMIT_EXCEEDED,
        MALFORMED_CURSOR,
        MALFORMED_PAGE,
        CURSOR_EXPIRED,
        LOCK_HELD,
        LOCK_TOKEN_MISMATCH,
        LOCK_NOT_HELD,
        NOT_OWNER,
        LEASE_HELD,
        LEASE_TOKEN_MISMATCH,
        LEASE_NOT_HELD,
        NOT_LEADER,
        LOCK_LOST
    }

    private final Kind kind;

    private StoreException(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    /**
     * Input that breaks a rule; lists the offending fields, all of them or the first {@code store.limits.max-errors},
     * and counts them all.
     */
    public static final class Validation extends StoreException {
        private final List<FieldError> errors;
        private final int errorCount;

        public Validation(List<FieldError> errors, int errorCount) {
            super(Kind.VALIDATION, detail(errors.size(), errorCount));
            this.errors = List.copyOf(errors);
            this.errorCount = errorCount;
        }

        public Validation(List<FieldError> errors) {
            this(errors, errors.size());
        }

        public Validation(String field, String message) {
            this(List.of(new FieldError(field, message)));
        }

        private static String detail(int listed, int count) {
            String found = count == 1 ? "1 field is invalid" : count + " fields are invalid";
            return listed == count ? found : found + "; the first " + listed + " are listed "
                    + "(store.limits.max-errors): fix them and send again to see the rest";
        }

        /** The fields listed, in the order found. */
        public List<FieldError> errors() {
            return errors;
        }

        /** How many fields are invalid, also those not listed. */
        public int errorCount() {
            return errorCount;
        }
    }

    /** The role may not write that source. */
    public static final class WriteForbidden extends StoreException {
        public WriteForbidden(RuntimeRole role, WriteSource source) {
            super(Kind.WRITE_FORBIDDEN, "role '" + role.wire() + "' may not write source '" + source.wire() + "'");
        }

        private WriteForbidden(String message) {
            super(Kind.WRITE_FORBIDDEN, message);
        }

        /** A {@code leader_scrape} batch without a lease while {@code store.leader.require-lease=true}. */
        public static WriteForbidden leaseRequired() {
            return new WriteForbidden("a leader_scrape batch must name the leader lease it is written under "
                    + "(\"lease\": {\"name\", \"token\"}): store.leader.require-lease is true, so the role alone proves "
                    + "nothing; campaign with POST /api/v1/leases/{name} first");
        }
    }

    /** More points in one batch than {@code store.max-batch}. */
    public static final class BatchTooLarge extends StoreException {
        public BatchTooLarge(int size, int max) {
            super(Kind.BATCH_TOO_LARGE, "the batch has " + size + " points, more than store.max-batch (" + max + ")");
        }
    }

    /** The batch would create more live series than {@code store.max-series}; nothing was written. */
    public static final class SeriesLimitExceeded extends StoreException {
        public SeriesLimitExceeded(long live, long created, long max) {
            super(Kind.SERIES_LIMIT_EXCEEDED, "the batch would create " + created + " new series beside " + live
                    + " live ones, more than store.max-series (" + max + "); nothing was written");
        }
    }

    /** The batch would describe more live families than {@code store.limits.max-families}; nothing was written. */
    public static final class FamilyLimitExceeded extends StoreException {
        public FamilyLimitExceeded(long live, long created, long max) {
            super(Kind.FAMILY_LIMIT_EXCEEDED, "the batch would describe " + created + " new families beside " + live
                    + " live ones, more than store.limits.max-families (" + max + "); nothing was written. A "
                    + "description lives for store.retention: describe the families your series use, not one per series");
        }
    }

    /** A cursor that this service never produced. */
    public static final class MalformedCursor extends StoreException {
        public MalformedCursor() {
            super(Kind.MALFORMED_CURSOR,
                    "the cursor is not one this service issued; take it from /series, /cursor or /changes");
        }
    }

    /** A page token that this service never produced. */
    public static final class MalformedPage extends StoreException {
        public MalformedPage() {
            super(Kind.MALFORMED_PAGE, "the page token is not one this service issued: pass the next of the previous "
                    + "page of GET /series unchanged, or start the walk again without page");
        }
    }

    /** A cursor the feed can no longer serve: take a new snapshot. */
    public static final class CursorExpired extends StoreException {

        /** Why the feed cannot serve a cursor. */
        public enum Reason {
            OTHER_EPOCH("the cursor belongs to an earlier state of the store"),
            BELOW_HORIZON("the cursor is older than the change feed keeps"),
            AHEAD("the cursor is ahead of the store");

            private final String text;

            Reason(String text) {
                this.text = text;
            }
        }

        public CursorExpired(Reason reason) {
            super(Kind.CURSOR_EXPIRED, reason.text + "; take a new snapshot");
        }
    }

    /** Somebody else holds the lock. */
    public static final class LockHeld extends StoreException {
        private final Instant expiresAt;

        public LockHeld(LockKind kind, String key, Instant expiresAt) {
            super(Kind.LOCK_HELD, kind.wire() + " lock '" + key + "' is held by another owner until " + expiresAt);
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
            super(kind == LockKind.LEASE ? Kind.LEASE_TOKEN_MISMATCH : Kind.LOCK_TOKEN_MISMATCH,
                    what(kind, key) + " is held with another token; nothing changed");
        }
    }

    /** Nobody holds the lock (it was released or expired). */
    public static final class LockNotHeld extends StoreException {
        public LockNotHeld(LockKind kind, String key) {
            super(kind == LockKind.LEASE ? Kind.LEASE_NOT_HELD : Kind.LOCK_NOT_HELD,
                    what(kind, key) + " is not held" + (kind == LockKind.LEASE ? ": campaign for it with POST" : ""));
        }
    }

    /** The lock is held for another identity: only the identity that took it may extend, release or retry it. */
    public static final class NotOwner extends StoreException {
        public NotOwner(LockKind kind, String key) {
            super(Kind.NOT_OWNER, what(kind, key) + " was taken by another identity; only that identity can "
                    + (kind == LockKind.LEASE ? "renew, resign or retry its campaign" : "extend, release or retry it")
                    + "; nothing changed");
        }
    }

    /** Somebody else holds the lease: who, with which fence, until when. */
    public static final class LeaseHeld extends StoreException {
        private final LeaseState holder;

        public LeaseHeld(LeaseState holder) {
            super(Kind.LEASE_HELD, "lease '" + holder.name() + "' is held by '" + holder.holder() + "' (fence "
                    + holder.fence() + ") until " + holder.expiresAt() + "; observe it with GET ?wait=30s&fence="
                    + holder.fence() + " and campaign again when it is free");
            this.holder = holder;
        }

        public LeaseState holder() {
            return holder;
        }
    }

    /**
     * A batch written under a lease that its token no longer holds (it expired, was resigned or taken over): the
     * writer is not the leader any more; nothing of the batch was written.
     */
    public static final class NotLeader extends StoreException {
        private final String lease;
        private final Optional<LeaseState> current;

        public NotLeader(String lease, Optional<LeaseState> current) {
            super(Kind.NOT_LEADER, "lease '" + lease + "' is not held by this token"
                    + current.map(holder -> " but by '" + holder.holder() + "' (fence " + holder.fence() + ") until "
                    + holder.expiresAt()).orElse(" (it is free)")
                    + ": nothing was written; step down, observe the lease and campaign again before writing");
            this.lease = lease;
            this.current = current;
        }

        public String lease() {
            return lease;
        }

        /** The lease's current holder, if anyone holds it. */
        public Optional<LeaseState> current() {
            return current;
        }
    }

    /** A batch written under a lock that its token no longer holds: nothing of it was written. */
    public static final class LockLost extends StoreException {
        private final LockKind lockKind;
        private final String key;

        public LockLost(LockKind kind, String key) {
            super(Kind.LOCK_LOST, what(kind, key) + " is no longer held by this token (it expired, was released or "
                    + "taken by another owner): nothing was written; stop the job, or acquire the lock again first");
            this.lockKind = kind;
            this.key = key;
        }

        public LockKind lockKind() {
            return lockKind;
        }

        public String key() {
            return key;
        }
    }

    private static String what(LockKind kind, String key) {
        return kind == LockKind.LEASE ? "lease '" + key + "'" : kind.wire() + " lock '" + key + "'";
    }
}
