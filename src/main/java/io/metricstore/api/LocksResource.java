package io.metricstore.api;

import io.metricstore.auth.Audit;
import io.metricstore.auth.Roles;
import io.metricstore.store.MetricStore;
import io.metricstore.store.StoreException;
import io.metricstore.store.model.LockGrant;
import io.metricstore.store.model.LockKind;
import io.metricstore.store.model.LockState;
import io.metricstore.store.model.WireName;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.function.Supplier;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Job and dedup locks: acquire, extend, release, inspect. The key may contain slashes.
 *
 * <p>Lock calls are short, so where the backend never waits (memory) they run on the HTTP event loop: two thread
 * hand-offs per request cost more than the call itself (docs/benchmarks.md). Calls to a backend that waits on
 * I/O (Redis) run on worker threads.
 */
@Path("/api/v1/locks/{kind}/{key: .+}")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "locks")
public class LocksResource {

    private final MetricStore store;
    private final SecurityIdentity identity;
    private final boolean onWorker;

    public LocksResource(MetricStore store, SecurityIdentity identity) {
        this.store = store;
        this.identity = identity;
        this.onWorker = store.locksBlock();
    }

    private <T> Uni<T> call(Supplier<T> work) {
        return LockCalls.call(onWorker, work);
    }

    @Schema(name = "AcquireRequest")
    public record AcquireRequest(
            @Schema(required = true, example = "30s", description = "30s, 5m, 1h30m, 500ms or ISO-8601") String ttl,
            @Schema(description = "Your own owner token, so that a retried acquire that already won reports "
                    + "success; a random one is made when absent") String token) {
    }

    @Schema(name = "ExtendRequest")
    public record ExtendRequest(@Schema(required = true) String token, @Schema(required = true, example = "30s") String ttl) {
    }

    @Schema(name = "LockGrant")
    public record GrantResponse(String kind, String key, boolean acquired, String token, long fence, String expiresAt) {
        static GrantResponse of(LockGrant grant) {
            return new GrantResponse(grant.kind().wire(), grant.key(), true, grant.token(), grant.fence(),
                    grant.expiresAt().toString());
        }
    }

    @Schema(name = "LockState")
    public record StateResponse(String kind, String key, boolean held, long fence, String expiresAt) {
        static StateResponse of(LockState state) {
            return new StateResponse(state.kind().wire(), state.key(), true, state.fence(), state.expiresAt().toString());
        }
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Acquire a lock", description = "Succeeds only if nobody else holds the key. The fence "
            + "grows with every successful acquire (one counter for the whole store) and is never issued twice.")
    @APIResponse(responseCode = "201", description = "Acquired (or a retry with the winning token)",
            content = @Content(schema = @Schema(implementation = GrantResponse.class)))
    @APIResponse(responseCode = "400", description = "validation or malformed-request (key, ttl, token)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "not-found: kind is neither job nor dedup",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "lock-held: acquired is false, expiresAt is the holder's expiry",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @RolesAllowed(Roles.LOCKER)
    public Uni<Response> acquire(
            @PathParam("kind") @Parameter(schema = @Schema(enumeration = {"job", "dedup"})) String kind,
            @PathParam("key") String key, AcquireRequest request) {
        String caller = Audit.caller(identity);
        return call(() -> {
            LockKind lockKind = kind(kind);
            Duration ttl = DurationText.ttl(request == null ? null : request.ttl());
            LockGrant grant = store.acquire(lockKind, key, ttl, request == null ? null : request.token(), caller);
            Audit.record(caller, "lock.acquire", kind + "/" + key, "acquired fence=" + grant.fence());
            return Response.status(Response.Status.CREATED).entity(GrantResponse.of(grant)).build();
        });
    }

    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Extend a held lock", description = "Sets the lease to ttl from now.")
    @APIResponse(responseCode = "200", description = "Extended",
            content = @Content(schema = @Schema(implementation = GrantResponse.class)))
    @APIResponse(responseCode = "400", description = "validation or malformed-request",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "lock-not-held, or not-found for an unknown kind",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "403", description = "not-owner: another identity holds it, nothing changed (or "
            + "forbidden: the caller lacks the locker role)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "lock-token-mismatch: held with another token, nothing changed",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @RolesAllowed(Roles.LOCKER)
    public Uni<GrantResponse> extend(@PathParam("kind") String kind, @PathParam("key") String key,
                                     ExtendRequest request) {
        String caller = Audit.caller(identity);
        return call(() -> {
            LockKind lockKind = kind(kind);
            Duration ttl = DurationText.ttl(request == null ? null : request.ttl());
            return GrantResponse.of(store.extend(lockKind, key, request == null ? null : request.token(), ttl, caller));
        });
    }

    @DELETE
    @Operation(summary = "Release a held lock")
    @APIResponse(responseCode = "204", description = "Released")
    @APIResponse(responseCode = "400", description = "validation: Lock-Token header missing or malformed",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "lock-not-held, or not-found for an unknown kind",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "403", description = "not-owner: another identity holds it, nothing changed (or "
            + "forbidden: the caller lacks the locker role)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "lock-token-mismatch: held with another token, nothing changed",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @RolesAllowed(Roles.LOCKER)
    public Uni<Response> release(@PathParam("kind") String kind, @PathParam("key") String key,
                                 @Parameter(required = true, schema = @Schema(type = SchemaType.STRING))
                                 @HeaderParam("Lock-Token") String token) {
        String caller = Audit.caller(identity);
        return call(() -> {
            store.release(kind(kind), key, token, caller);
            Audit.record(caller, "lock.release", kind + "/" + key, "released");
            return Response.noContent().build();
        });
    }

    @GET
    @Operation(summary = "Inspect a lock", description = "Shows the holder's fence and expiry, never its token.")
    @APIResponse(responseCode = "200", description = "Held",
            content = @Content(schema = @Schema(implementation = StateResponse.class)))
    @APIResponse(responseCode = "404", description = "lock-not-held (free), or not-found for an unknown kind",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @RolesAllowed(Roles.READER)
    public Uni<StateResponse> inspect(@PathParam("kind") String kind, @PathParam("key") String key) {
        return call(() -> {
            LockKind lockKind = kind(kind);
            return store.inspect(lockKind, key).map(StateResponse::of)
                    .orElseThrow(() -> new StoreException.LockNotHeld(lockKind, key));
        });
    }

    private static LockKind kind(String kind) {
        return LockKind.parse(kind).orElseThrow(() -> new UnknownKind(kind));
    }

    /** A lock kind that does not exist: a 404 in the service's own words. */
    static final class UnknownKind extends NotFoundException {
        UnknownKind(String kind) {
            super("unknown lock kind '" + kind + "': use one of " + WireName.choices(LockKind.clientKinds()));
        }
    }
}
