package io.metricstore.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.metricstore.auth.RoleCheck;
import io.metricstore.auth.Roles;
import io.metricstore.store.FieldChecks;
import io.metricstore.store.MetricStore;
import io.metricstore.store.RawFamily;
import io.metricstore.store.RawPoint;
import io.metricstore.store.WriteBatch;
import io.metricstore.store.model.RuntimeRole;
import io.metricstore.store.model.WireName;
import io.metricstore.store.model.WriteResult;
import io.metricstore.store.model.WriteSource;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/points")
@Tag(name = "points")
public class PointsResource {

    private final MetricStore store;
    private final SecurityIdentity identity;

    public PointsResource(MetricStore store, SecurityIdentity identity) {
        this.store = store;
        this.identity = identity;
    }

    /** A batch of points from one role and source. */
    @Schema(name = "WriteRequest")
    public record WriteRequest(
            @Schema(enumeration = {"leader", "follower"}, required = true) String role,
            @Schema(enumeration = {"leader_scrape", "worker_backfill"}, required = true) String source,
            @Schema(required = true) List<PointBody> points,
            @Schema(description = "Type and help per metric family, for the /metrics exposition; each description "
                    + "lives as long as a series written now") Map<String, FamilyBody> families,
            @Schema(description = "The leader lease a leader_scrape batch is written under: applied only while that "
                    + "token holds it") LeaseBody lease,
            @Schema(description = "The job or dedup lock a worker_backfill batch is written under: applied only while "
                    + "that token holds it") LockBody lock) {

        /** The batch for the service; role, source and the presence of points are refused together. */
        WriteBatch toBatch() {
            RuntimeRole parsedRole = RuntimeRole.parse(role).orElse(null);
            WriteSource parsedSource = WriteSource.parse(source).orElse(null);
            FieldChecks.of()
                    .require(parsedRole != null, "role", "must be one of " + WireName.choices(RuntimeRole.values()))
                    .require(parsedSource != null, "source",
                            "must be one of " + WireName.choices(WriteSource.values()))
                    .require(points != null, "points", "is required")
                    .orThrow();
            Map<String, RawFamily> described = new LinkedHashMap<>();
            if (families != null) {
                families.forEach((name, family) ->
                        described.put(name, family == null ? null : new RawFamily(family.type(), family.help())));
            }
            return new WriteBatch(parsedRole, parsedSource,
                    points.stream().map(point -> point == null ? null : point.raw()).toList(), described,
                    lease == null ? null : new WriteBatch.Lease(lease.name(), lease.token()),
                    lock == null ? null : new WriteBatch.Lock(lock.kind(), lock.key(), lock.token()));
        }
    }

    /** The leader lease a batch is written under. */
    @Schema(name = "WriteLease")
    public record LeaseBody(@Schema(required = true) String name, @Schema(required = true) String token) {
    }

    /** The lock a batch is written under. */
    @Schema(name = "WriteLock")
    public record LockBody(@Schema(required = true, enumeration = {"job", "dedup"}) String kind,
                           @Schema(required = true) String key, @Schema(required = true) String token) {
    }

    /** How a metric family is exposed. */
    @Schema(name = "Family")
    public record FamilyBody(
            @Schema(enumeration = {"counter", "gauge", "histogram", "summary", "untyped"},
                    description = "untyped when absent") String type,
            @Schema(description = "The HELP text") String help) {
    }

    /** One point as sent. */
    @Schema(name = "Point")
    public record PointBody(
            @Schema(required = true, example = "http_requests_total") String name,
            @Schema(description = "Label names to values; an empty value drops the label") Map<String, String> labels,
            @Schema(required = true) RawPoint.RawValue value,
            @Schema(description = "RFC 3339; the server's time when missing", example = "2026-11-25T18:00:00Z")
            String updatedAt) {

        RawPoint raw() {
            return new RawPoint(name, labels, value, updatedAt);
        }
    }

    @Schema(name = "WriteResult")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record WriteResponse(int applied, int unchanged, int stale, String cursor,
                                @Schema(description = "The fence of the lease or lock the batch was written under")
                                Long fence) {
        static WriteResponse of(WriteResult result) {
            return new WriteResponse(result.applied(), result.unchanged(), result.stale(), result.cursor().encode(),
                    result.fence().isPresent() ? result.fence().getAsLong() : null);
        }
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Write a batch of points",
            description = "Validates the whole batch (every bad point is named), then checks the caller's role, the "
                    + "write guard, the batch size and the lease or lock it is written under (in the same atomic step "
                    + "as the write), then applies each point by precedence: newer wins, a scrape beats a backfill at "
                    + "the same time.")
    @APIResponse(responseCode = "200", description = "Counts of applied, unchanged and stale points",
            content = @Content(schema = @Schema(implementation = WriteResponse.class)))
    @APIResponse(responseCode = "400", description = "validation or malformed-request: nothing was written",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "401", description = "unauthenticated (after validation: the body's errors come first)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "403", description = "forbidden (the writer role is missing), or write-forbidden: a "
            + "follower may not write leader_scrape, or a leader_scrape batch names no lease although "
            + "store.leader.require-lease is true",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "not-leader (the lease is not held by this token: holder, fence "
            + "and expiresAt name the current holder) or lock-lost (kind, key): nothing was written",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "413", description = "batch-too-large (over store.max-batch) or body-too-large",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "415", description = "unsupported-media-type: send application/json",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "507", description = "series-limit-exceeded: nothing was written",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @PermitAll
    public WriteResponse write(WriteRequest request) {
        WriteRequest body = request == null ? new WriteRequest(null, null, null, null, null, null) : request;
        // The role is checked by the store after the body (SPEC §2: 400 before 401/403), not by @RolesAllowed, which
        // Quarkus checks before it reads the body.
        return WriteResponse.of(store.write(body.toBatch(), () -> RoleCheck.require(identity, Roles.WRITER)));
    }
}
