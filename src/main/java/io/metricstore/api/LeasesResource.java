package io.metricstore.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.metricstore.auth.Audit;
import io.metricstore.auth.Roles;
import io.metricstore.store.FieldChecks;
import io.metricstore.store.MetricStore;
import io.metricstore.store.StoreConfig;
import io.metricstore.store.model.LeaseGrant;
import io.metricstore.store.model.LeaseState;
import io.metricstore.watch.LeaseWatch;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Leader leases (SPEC §2, Leases): campaign, renew, resign, observe, and observe with {@code wait} until the holder
 * changes. The name may contain slashes. Like the lock calls, they run on the event loop where the backend never waits.
 */
@Path("/api/v1/leases/{name: .+}")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "leases")
public class LeasesResource {

    private final MetricStore store;
    private final LeaseWatch watch;
    private final SecurityIdentity identity;
    private final Duration maxWait;
    private final boolean onWorker;

    public LeasesResource(MetricStore store, LeaseWatch watch, SecurityIdentity identity, StoreConfig config) {
        this.store = store;
        this.watch = watch;
        this.identity = identity;
        this.maxWait = config.changes().maxWait();
        this.onWorker = store.locksBlock();
    }

    @Schema(name = "CampaignRequest")
    public record CampaignRequest(
            @Schema(required = true, example = "15s", description = "30s, 5m, 1h30m, 500ms or ISO-8601") String ttl,
            @Schema(description = "Your own owner token, so that a retried campaign that already won reports success "
                    + "(and renews); a random one is made when absent") String token,
            @Schema(description = "Free text shown to observers (1-256 printable characters), such as the pod's "
                    + "name; the caller's identity when absent") String holder) {
    }

    @Schema(name = "RenewRequest")
    public record RenewRequest(@Schema(required = true) String token, @Schema(required = true, example = "15s") String ttl) {
    }

    @Schema(name = "LeaseGrant")
    public record GrantResponse(String name, String holder, String token, long fence, String expiresAt) {
        static GrantResponse of(LeaseGrant grant) {
            return new GrantResponse(grant.name(), grant.holder(), grant.token(), grant.fence(),
                    grant.expiresAt().toString());
        }
    }

    @Schema(name = "LeaseState")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record StateResponse(String name, boolean held, String holder, Long fence, String expiresAt) {
        static StateResponse of(String name, Optional<LeaseState> state) {
            return state.map(held -> new StateResponse(name, true, held.holder(), held.fence(),
                    held.expiresAt().toString())).orElse(new StateResponse(name, false, null, null, null));
        }
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Campaign for a lease", description = "Takes the lease if nobody else holds it, with the next "
            + "fence (never issued twice); a retry with the holding token renews it and reports the same fence.")
    @APIResponse(responseCode = "201", description = "Held (or a retry with the holding token)",
            content = @Content(schema = @Schema(implementation = GrantResponse.class)))
    @APIResponse(responseCode = "400", description = "validation or malformed-request (name, ttl, token, holder)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "403", description = "not-owner: the token holds it for another identity",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "lease-held: holder, fence and expiresAt of the current holder",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @RolesAllowed(Roles.LOCKER)
    public Uni<Response> campaign(@PathParam("name") String name, CampaignRequest request) {
        String caller = Audit.caller(identity);
        return LockCalls.call(onWorker, () -> {
            Duration ttl = DurationText.ttl(request == null ? null : request.ttl());
            LeaseGrant grant = store.campaign(name, ttl, request == null ? null : request.token(),
                    request == null ? null : request.holder(), caller);
            Audit.record(caller, "lease.campaign", name, "held fence=" + grant.fence());
            return Response.status(Response.Status.CREATED).entity(GrantResponse.of(grant)).build();
        });
    }

    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Renew a held lease", description = "Sets the lease to ttl from now; the fence stays.")
    @APIResponse(responseCode = "200", description = "Renewed",
            content = @Content(schema = @Schema(implementation = GrantResponse.class)))
    @APIResponse(responseCode = "400", description = "validation or malformed-request",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "403", description = "not-owner: another identity holds it, nothing changed",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "lease-not-held: it expired or was resigned; campaign again",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "lease-token-mismatch: held with another token, nothing changed",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @RolesAllowed(Roles.LOCKER)
    public Uni<GrantResponse> renew(@PathParam("name") String name, RenewRequest request) {
        String caller = Audit.caller(identity);
        return LockCalls.call(onWorker, () -> {
            Duration ttl = DurationText.ttl(request == null ? null : request.ttl());
            return GrantResponse.of(store.renew(name, request == null ? null : request.token(), ttl, caller));
        });
    }

    @DELETE
    @Operation(summary = "Resign a held lease", description = "Frees it at once, so a follower need not wait out the TTL.")
    @APIResponse(responseCode = "204", description = "Resigned")
    @APIResponse(responseCode = "400", description = "validation: Lease-Token header missing or malformed",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "403", description = "not-owner: another identity holds it, nothing changed",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "lease-not-held",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "lease-token-mismatch: held with another token, nothing changed",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @RolesAllowed(Roles.LOCKER)
    public Uni<Response> resign(@PathParam("name") String name,
                                @Parameter(required = true, schema = @Schema(type = SchemaType.STRING))
                                @HeaderParam("Lease-Token") String token) {
        String caller = Audit.caller(identity);
        return LockCalls.call(onWorker, () -> {
            store.resign(name, token, caller);
            Audit.record(caller, "lease.resign", name, "resigned");
            return Response.noContent().build();
        });
    }

    @GET
    @Operation(summary = "Observe a lease", description = "Who holds it, with which fence and until when (never its "
            + "token); held is false when it is free. With wait, answers as soon as the fence differs from the given "
            + "fence or the lease is free (without fence: as soon as the holder or fence differs from the state at "
            + "the call), or after wait with the state then.")
    @APIResponse(responseCode = "200", description = "The lease's state",
            content = @Content(schema = @Schema(implementation = StateResponse.class)))
    @APIResponse(responseCode = "400", description = "validation: name, wait or fence",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "too-many-waiters: store.changes.max-waiters already wait here",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @RolesAllowed(Roles.READER)
    public Uni<StateResponse> observe(@PathParam("name") String name,
                                      @Parameter(description = "How long to wait for a change: 30s, PT30S; at most "
                                              + "store.changes.max-wait") @QueryParam("wait") String wait,
                                      @Parameter(description = "The fence last seen: wait until it differs")
                                      @QueryParam("fence") String fence) {
        Duration waiting = DurationText.waitFor(wait);
        OptionalLong seen = fence == null || fence.isEmpty() ? OptionalLong.empty() : fence(fence);
        DurationText.checkWait(FieldChecks.of(), waiting, maxWait)
                .require(seen != null, "fence", "must be a fence as a lease's answers show it (a positive integer)")
                .orThrow();
        if (waiting.isZero()) {
            return LockCalls.call(onWorker, () -> StateResponse.of(name, store.observe(name)));
        }
        return watch.observe(name, waiting, seen).map(state -> StateResponse.of(name, state));
    }

    /** A fence, or null when the text is not one (a positive integer within the range of a long). */
    private static OptionalLong fence(String text) {
        if (text.length() > 19 || !text.chars().allMatch(Character::isDigit)) {
            return null;
        }
        try {
            long value = Long.parseLong(text);
            return value > 0 ? OptionalLong.of(value) : null;
        } catch (NumberFormatException beyondLong) {
            return null;
        }
    }
}
