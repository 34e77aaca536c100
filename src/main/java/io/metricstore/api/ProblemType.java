package io.metricstore.api;

/**
 * Every kind of refusal, each with a stable {@code type} identifier that clients can switch on. The README lists
 * them; never rename one, add a new one instead.
 */
public enum ProblemType {
    VALIDATION("validation", 400, "Invalid request"),
    MALFORMED_REQUEST("malformed-request", 400, "Malformed request body"),
    MALFORMED_CURSOR("malformed-cursor", 400, "Malformed cursor"),
    MALFORMED_PAGE("malformed-page", 400, "Malformed page token"),
    MALFORMED_URI("malformed-uri", 400, "Malformed URI"),
    UNAUTHENTICATED("unauthenticated", 401, "Authentication required"),
    FORBIDDEN("forbidden", 403, "Role required"),
    NOT_OWNER("not-owner", 403, "Held by another identity"),
    WRITE_FORBIDDEN("write-forbidden", 403, "Write not allowed for this role"),
    NOT_FOUND("not-found", 404, "Not found"),
    LOCK_NOT_HELD("lock-not-held", 404, "Lock not held"),
    LEASE_NOT_HELD("lease-not-held", 404, "Lease not held"),
    METHOD_NOT_ALLOWED("method-not-allowed", 405, "Method not allowed"),
    NOT_ACCEPTABLE("not-acceptable", 406, "Not acceptable"),
    LOCK_HELD("lock-held", 409, "Lock held by another owner"),
    LOCK_TOKEN_MISMATCH("lock-token-mismatch", 409, "Lock token mismatch"),
    LEASE_HELD("lease-held", 409, "Lease held by another holder"),
    LEASE_TOKEN_MISMATCH("lease-token-mismatch", 409, "Lease token mismatch"),
    NOT_LEADER("not-leader", 409, "Not the leader"),
    LOCK_LOST("lock-lost", 409, "Lock lost"),
    CURSOR_EXPIRED("cursor-expired", 410, "Cursor expired"),
    BATCH_TOO_LARGE("batch-too-large", 413, "Batch too large"),
    BODY_TOO_LARGE("body-too-large", 413, "Request body too large"),
    UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", 415, "Unsupported media type"),
    SERIES_LIMIT_EXCEEDED("series-limit-exceeded", 507, "Series limit exceeded"),
    FAMILY_LIMIT_EXCEEDED("family-limit-exceeded", 507, "Family limit exceeded"),
    BACKEND_UNAVAILABLE("backend-unavailable", 503, "Backend unavailable"),
    TOO_MANY_WAITERS("too-many-waiters", 503, "Too many waiters"),
    TOO_MANY_READS("too-many-reads", 503, "Too many expensive reads"),
    INTERNAL_ERROR("internal-error", 500, "Internal error");

    /** Prefix of every type: a URN, so it identifies without pretending to be a page someone can fetch. */
    public static final String PREFIX = "urn:metric-store:problem:";

    private final String slug;
    private final int status;
    private final String title;

    ProblemType(String slug, int status, String title) {
        this.slug = slug;
        this.status = status;
        this.title = title;
    }

    public String uri() {
        return PREFIX + slug;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }
}
