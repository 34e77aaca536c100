package io.metricstore.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.metricstore.auth.Roles;
import io.metricstore.limits.ExpensiveReads;
import io.metricstore.limits.SlowReaders;
import io.metricstore.store.MetricStore;
import io.metricstore.store.StoreConfig;
import io.metricstore.store.model.Change;
import io.metricstore.store.model.Delta;
import io.metricstore.store.model.Series;
import io.metricstore.store.model.SnapshotPage;
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
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The read side: a snapshot (whole or page by page), the current cursor and the change feed that follows it. */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "series")
public class SeriesResource {

    private final MetricStore store;
    private final FeedWatch watch;
    private final ExpensiveReads reads;
    private final SlowReaders slowReaders;
    private final ObjectMapper mapper;
    private final Duration maxWait;
    private final int pageSize;

    public SeriesResource(MetricStore store, FeedWatch watch, StoreConfig config, ExpensiveReads reads,
                          SlowReaders slowReaders, ObjectMapper mapper) {
        this.store = store;
        this.slowReaders = slowReaders;
        this.watch = watch;
        this.reads = reads;
        this.mapper = mapper;
        this.maxWait = config.changes().maxWait();
        this.pageSize = config.limits().seriesPageSize();
    }

    @Schema(name = "Snapshot")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SnapshotResponse(
            @Schema(description = "Follow /changes from here; read before the series, so nothing is missed. Every page "
                    + "of a walk answers the walk's first cursor.")
            String cursor,
            List<SeriesBody> series,
            @Schema(description = "Only on a page (limit or page given): pass as page= for the next page; absent on "
                    + "the last page")
            String next) {
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
    @Operation(summary = "Snapshot of all live series, whole or page by page",
            description = "Sorted by metric name, then by label set; with the cursor to follow /changes from. Without "
                    + "limit and page: the whole snapshot, streamed. With limit or page: one page, and next while more "
                    + "follow; a walk may see changes made after its first cursor, which following /changes from that "
                    + "cursor repairs.")
    @APIResponse(responseCode = "200", description = "The snapshot, or one page of it",
            content = @Content(schema = @Schema(implementation = SnapshotResponse.class)))
    @APIResponse(responseCode = "400", description = "validation (name not a metric name, limit out of range, name "
            + "other than the walk's), or malformed-page",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "410", description = "cursor-expired: the walk's cursor is from an earlier state of "
            + "the store (Redis lost its data) or older than the feed keeps; start the walk again",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "too-many-reads (a whole snapshot only), or backend-unavailable",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @RolesAllowed(Roles.READER)
    public Response series(
            @Parameter(description = "Only series of this metric name") @QueryParam("name") String name,
            @Parameter(description = "Series per page, 1 to store.limits.max-series-page-size (default "
                    + "store.limits.series-page-size)", schema = @Schema(type = SchemaType.INTEGER))
            @QueryParam("limit") String limit,
            @Parameter(description = "The next of the previous page") @QueryParam("page") String page,
            @Context RoutingContext request) {
        // An empty parameter is an absent one, as for name.
        Optional<String> filter = Optional.ofNullable(name).filter(n -> !n.isEmpty());
        Optional<String> size = Optional.ofNullable(limit).filter(n -> !n.isEmpty());
        Optional<String> from = Optional.ofNullable(page).filter(n -> !n.isEmpty());
        if (size.isEmpty() && from.isEmpty()) {
            return whole(filter, request);
        }
        SeriesQuery query = SeriesQuery.parse(filter, size, from, pageSize);
        SnapshotPage read = store.snapshotPage(query.name(), query.from().map(PageToken::after), query.limit());
        return Response.ok(new SnapshotResponse(read.cursor().encode(), read.series().stream().map(SeriesBody::of)
                .toList(), read.next().isPresent() ? PageToken.of(read, query.name()).encode() : null)).build();
    }

    /**
     * The whole snapshot, written page by page as the backend reads it: no lock or list of every series is held
     * throughout. It is written by a worker thread, which a client that stops reading would hold: a write it has not
     * taken within {@code store.limits.write-timeout} closes its connection ({@link SlowReaders}). The first page is read before the answer starts, so its refusals are problem documents; a walk that
     * meets a new epoch of the state (Redis lost its data) later ends the answer unfinished, and the client retries.
     */
    private Response whole(Optional<String> name, RoutingContext request) {
        reads.admit(request);
        SnapshotPage first = store.snapshotPage(name, Optional.empty(), pageSize);
        StreamingOutput body = output -> {
            // Closed only when complete: closing on a failure would end the arrays and pass off part as the whole.
            JsonGenerator json = mapper.createGenerator(slowReaders.guard(output, SlowReaders.Endpoint.SERIES,
                    request.request())).disable(JsonGenerator.Feature.AUTO_CLOSE_JSON_CONTENT);
            json.writeStartObject();
            json.writeStringField("cursor", first.cursor().encode());
            json.writeArrayFieldStart("series");
            SnapshotPage page = first;
            while (true) {
                for (Series series : page.series()) {
                    json.writeObject(SeriesBody.of(series));
                }
                json.flush();
                if (page.next().isEmpty()) {
                    break;
                }
                page = store.snapshotPage(name, Optional.of(new SnapshotPage.After(page.cursor(), page.next().get())),
                        pageSize);
            }
            json.writeEndArray();
            json.writeEndObject();
            json.close();
        };
        return Response.ok(body, MediaType.APPLICATION_JSON_TYPE).build();
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
                    + MetricStore.DEFAULT_CHANGES_LIMIT + ")", schema = @Schema(type = SchemaType.INTEGER))
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
