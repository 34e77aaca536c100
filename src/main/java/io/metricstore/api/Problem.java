package io.metricstore.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.metricstore.store.model.FieldError;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * An RFC 9457 problem document. {@code errors} lists every invalid field of a validation refusal; {@code acquired}
 * and {@code expiresAt} tell the loser of a lock race when the current lease ends; {@code role} names the role a
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
        @Schema(description = "Every invalid field, for validation refusals") List<FieldError> errors,
        @Schema(description = "false, for lock-held refusals") Boolean acquired,
        @Schema(description = "The current holder's expiry, for lock-held refusals") String expiresAt,
        @Schema(description = "The role the call needs, for forbidden refusals") String role) {

    public static final String MEDIA_TYPE = "application/problem+json";

    static Problem of(ProblemType type, String detail, String instance) {
        return new Problem(type.uri(), type.title(), type.status(), detail, instance, null, null, null, null);
    }

    Problem withErrors(List<FieldError> fieldErrors) {
        return new Problem(type, title, status, detail, instance, fieldErrors, acquired, expiresAt, role);
    }

    Problem withLease(String leaseExpiresAt) {
        return new Problem(type, title, status, detail, instance, errors, false, leaseExpiresAt, role);
    }

    Problem withRole(String neededRole) {
        return new Problem(type, title, status, detail, instance, errors, acquired, expiresAt, neededRole);
    }

    Response toResponse() {
        return Response.status(status).type(MEDIA_TYPE).entity(this).build();
    }
}
