package io.metricstore.api;

import io.metricstore.auth.Roles;
import io.metricstore.limits.SlowReaders;
import io.metricstore.store.FieldChecks;
import io.metricstore.store.StoreException;
import io.metricstore.store.model.Cursor;
import io.metricstore.watch.FeedWatch;
import io.metricstore.watch.StreamEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.ResponseHeader;
import org.jboss.resteasy.reactive.RestStreamElementType;

/**
 * The change feed as Server-Sent Events (SPEC §3, Watch): {@code change} per series change with the cursor after it
 * as {@code id}, {@code bookmark} while idle, {@code expired} (the 410 problem document) before the stream ends.
 */
@Path("/api/v1/changes/stream")
@Tag(name = "series")
public class ChangeStreamResource {

    private final FeedWatch watch;
    private final SlowReaders slowReaders;

    public ChangeStreamResource(FeedWatch watch, SlowReaders slowReaders) {
        this.watch = watch;
        this.slowReaders = slowReaders;
    }

    /** Only ever an event's data, which no return type registers for a native image's reflection. */
    @RegisterForReflection
    @Schema(name = "Bookmark")
    public record BookmarkBody(String cursor) {
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    // Events must reach the client as they happen: no cache may keep them, no proxy buffer them (nginx honours this).
    @ResponseHeader(name = "Cache-Control", value = "no-cache")
    @ResponseHeader(name = "X-Accel-Buffering", value = "no")
    @Operation(summary = "Stream the changes after a cursor",
            description = "Server-Sent Events: 'change' per series change (data: the event of /changes; id: the "
                    + "cursor after it), 'bookmark' at least every 10 s while idle (data {cursor}; id: that cursor), "
                    + "'expired' (data: the cursor-expired problem) where /changes would answer 410, then the end. "
                    + "Reconnect with Last-Event-ID, which wins over since. A client that leaves an event untaken "
                    + "for store.limits.write-timeout is disconnected.")
    @APIResponse(responseCode = "200", description = "The event stream",
            content = @Content(mediaType = MediaType.SERVER_SENT_EVENTS))
    @APIResponse(responseCode = "400", description = "malformed-cursor, or validation (missing since)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "too-many-waiters (see Retry-After)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @RolesAllowed(Roles.READER)
    @Blocking
    public Multi<OutboundSseEvent> stream(
            @Parameter(description = "A cursor from /series, /cursor or /changes") @QueryParam("since") String since,
            @Parameter(description = "The id of the last event received; wins over since")
            @HeaderParam("Last-Event-ID") String lastEventId,
            @Context Sse sse, @Context HttpServerRequest request) {
        String from = lastEventId != null && !lastEventId.isEmpty() ? lastEventId : since;
        FieldChecks.of().require(from != null && !from.isEmpty(), "since",
                "is required: pass the cursor of the last snapshot or delta (a client that reconnects sends "
                        + "Last-Event-ID instead)").orThrow();
        Cursor cursor = Cursor.decode(from).orElseThrow(StoreException.MalformedCursor::new);
        String path = request.path();
        return slowReaders.guard(watch.open(cursor).events().map(event -> sse(sse, event, path)),
                SlowReaders.Endpoint.CHANGES_STREAM, request);
    }

    private static OutboundSseEvent sse(Sse sse, StreamEvent event, String path) {
        if (event instanceof StreamEvent.Changed changed) {
            return json(sse, "change", changed.after().encode(), SeriesResource.ChangeBody.of(changed.change()));
        }
        if (event instanceof StreamEvent.Bookmark bookmark) {
            return json(sse, "bookmark", bookmark.cursor().encode(), new BookmarkBody(bookmark.cursor().encode()));
        }
        return json(sse, "expired", null, ProblemMapper.problem(((StreamEvent.Expired) event).cause(), path));
    }

    /** An event whose data is JSON (the element type of the stream, so no per-event content type is written). */
    private static OutboundSseEvent json(Sse sse, String name, String id, Object data) {
        OutboundSseEvent.Builder event = sse.newEventBuilder().name(name);
        if (id != null) {
            event.id(id);
        }
        return event.data(data.getClass(), data).build();
    }
}
