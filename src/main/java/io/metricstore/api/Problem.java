package io.metricstore.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.metricstore.store.model.FieldError;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * An RFC 9457 problem document. {@code errors} lists the invalid fields of a validation refusal (at most
 * {@code store.limits.max-errors}) and {@code errorCount} counts them all; {@code acquired} and {@code expiresAt} tell
 * the loser of a lock race when the current lease ends; {@code holder}, {@code fence} and {@code expiresAt} name a
 * lease's current holder; {@code kind} and {@code key} the lock a refused batch named; {@code role} names the role a
 * forbidden call needs.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(name = "Problem", description = "RFC 9457 problem details")
public record Problem(
        @Schema(description = "Stable identifier of the kind of refusal", example = "urn:metric-store:problem:validation")
        String type,
        String title,
        int status,
        String detail,
        @Schema(description = "The request path") String instance,
        @Schema(description = "The invalid fields, for validation refusals: at most store.limits.max-errors")
        List<FieldError> errors,
        @Schema(description = "How many fields are invalid, also those not listed in errors") Integer errorCount,
        @Schema(description = "false, for lock-held refusals") Boolean acquired,
        @Schema(description = "The current holder's expiry, for lock-held, lease-held and not-leader refusals")
        String expiresAt,
        @Schema(description = "The role the call needs, for forbidden refusals") String role,
        @Schema(description = "The lease's current holder, for lease-held and not-leader refusals") String holder,
        @Schema(description = "The current holder's fence, for lease-held and not-leader refusals") Long fence,
        @Schema(description = "The lock's kind, for lock-lost refusals") String kind,
        @Schema(description = "The lock's key, for lock-lost refusals") String key) {

    public static final String MEDIA_TYPE = "application/problem+json";

    static Problem of(ProblemType type, String detail, String instance) {
        return of(type, type.status(), detail, instance);
    }

    static Problem of(ProblemType type, int status, String detail, String instance) {
        return new Problem(type.uri(), type.title(), status, detail, instance, null, null, null, null, null, null, null,
                null, null);
    }

    /** The fields listed and how many there are in all. */
    Problem withErrors(List<FieldError> fieldErrors, int count) {
        return new Problem(type, title, status, detail, instance, fieldErrors, count, acquired, expiresAt, role, holder,
                fence, kind, key);
    }

    /** A lock held by another owner: not acquired, and when the holder's lease ends. */
    Problem withLease(String leaseExpiresAt) {
        return new Problem(type, title, status, detail, instance, errors, errorCount, false, leaseExpiresAt, role,
                holder, fence, kind, key);
    }

    /** A lease's current holder. */
    Problem withHolder(String leaseHolder, long holderFence, String holderExpiresAt) {
        return new Problem(type, title, status, detail, instance, errors, errorCount, acquired, holderExpiresAt, role,
                leaseHolder, holderFence, kind, key);
    }

    /** The lock a batch was written under. */
    Problem withLock(String lockKind, String lockKey) {
        return new Problem(type, title, status, detail, instance, errors, errorCount, acquired, expiresAt, role, holder,
                fence, lockKind, lockKey);
    }

    Problem withRole(String neededRole) {
        return new Problem(type, title, status, detail, instance, errors, errorCount, acquired, expiresAt, neededRole,
                holder, fence, kind, key);
    }

    Response toResponse() {
        return Response.status(status).type(MEDIA_TYPE).entity(this).build();
    }
}
