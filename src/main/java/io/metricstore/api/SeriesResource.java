package io.metricstore.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.metricstore.auth.Roles;
import io.metricstore.limits.ExpensiveReads;
import io.metricstore.store.MetricStore;
import io.metricstore.store.StoreConfig;
import io.metricstore.store.model.Change;
import io.metricstore.store.model.Delta;
import io.metricstore.store.model.Snapshot;
import io.metricstore.watch.FeedWatch;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The read side: a snapshot, the current cursor and the change feed that follows a snapshot. */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "series")
public class SeriesResource {

    private final MetricStore store;
    private final FeedWatch watch;
    private final ExpensiveReads reads;
    private final Duration maxWait;

    public SeriesResource(MetricStore store, FeedWatch watch, StoreConfig config, ExpensiveReads reads) {
        this.store = store;
        this.watch = watch;
        this.reads = reads;
        this.maxWait = config.changes().maxWait();
    }

    @Schema(name = "Snapshot")
    public record SnapshotResponse(
            @Schema(description = "Follow /changes from here; read before the series, so nothing is missed")
            String cursor,
            List<SeriesBody> series) {
    }

    @Schema(name = "Cursor")
    public record CursorResponse(String cursor) {
    }

    @Schema(name = "Change")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ChangeBody(String id, boolean deleted, @Schema(description = "Absent for deletions") SeriesBody point) {

        static ChangeBody of(Change change) {
            return new ChangeBody(change.id(), change.deleted(), change.deleted() ? null : SeriesBody.of(change.series()));
        }
    }

    @Schema(name = "Delta")
    public record DeltaResponse(
            @Schema(description = "Pass as since= on the next call") String cursor,
            List<ChangeBody> events,
            @Schema(description = "true when another page follows at once") boolean more) {

        static DeltaResponse of(Delta delta) {
            return new DeltaResponse(delta.cursor().encode(), delta.events().stream().map(ChangeBody::of).toList(),
                    delta.more());
        }
    }

    @GET
    @Path("/series")
    @Operation(summary = "Snapshot of all live series",
            description = "Sorted by metric name, then by label set; with the cursor to follow /changes from.")
    @APIResponse(responseCode = "200", description = "The snapshot",
            content = @Content(schema = @Schema(implementation = SnapshotResponse.class)))
    @RolesAllowed(Roles.READER)
    public SnapshotResponse series(@Parameter(description = "Only series of this metric name") @QueryParam("name") String name,
                                   @Context RoutingContext request) {
        reads.admit(request);
        Snapshot snapshot = store.snapshot(Optional.ofNullable(name).filter(n -> !n.isEmpty()));
        return new SnapshotResponse(snapshot.cursor().encode(), snapshot.series().stream().map(SeriesBody::of).toList());
    }

    @GET
    @Path("/cursor")
    @Operation(summary = "The current cursor")
    @APIResponse(responseCode = "200", description = "The cursor after the latest change",
            content = @Content(schema = @Schema(implementation = CursorResponse.class)))
    @RolesAllowed(Roles.READER)
    public CursorResponse cursor() {
        return new CursorResponse(store.cursor().encode());
    }

    @GET
    @Path("/changes")
    @Operation(summary = "Series changed or deleted after a cursor",
            description = "Compacted: each series once, at its latest change, oldest first. Page with limit "
                    + "while more is true. On 410 take a new snapshot. With wait, answers as soon as there is a "
                    + "change, or after wait with no events and the same cursor.")
    @APIResponse(responseCode = "200", description = "The delta",
            content = @Content(schema = @Schema(implementation = DeltaResponse.class)))
    @APIResponse(responseCode = "400", description = "malformed-cursor, or validation (missing since, bad limit)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "410", description = "cursor-expired: older than the feed keeps, or from another epoch",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "too-many-waiters: store.changes.max-waiters long-polls and "
            + "streams wait on this replica already (see Retry-After); or backend-unavailable",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @RolesAllowed(Roles.READER)
    @Blocking
    public Uni<DeltaResponse> changes(
            @Parameter(description = "A cursor from /series, /cursor or /changes", required = true)
            @QueryParam("since") String since,
            @Parameter(description = "Most events to return, 1 to " + MetricStore.MAX_CHANGES_LIMIT + " (default "
                    + MetricStore.DEFAULT_CHANGES_LIMIT + ")", schema = @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.INTEGER))
            @QueryParam("limit") String limit,
            @Parameter(description = "Wait up to this long for a change (30s, PT30S; at most store.changes.max-wait)")
            @QueryParam("wait") String wait) {
        ChangesQuery query = ChangesQuery.parse(since, limit, wait, maxWait);
        if (query.waitFor().isZero()) {
            return Uni.createFrom().item(DeltaResponse.of(store.changes(query.since(), query.limit())));
        }
        return watch.changes(query.since(), query.limit(), query.waitFor()).map(DeltaResponse::of);
    }
}
