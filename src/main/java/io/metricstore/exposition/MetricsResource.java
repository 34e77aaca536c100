package io.metricstore.exposition;

import io.metricstore.auth.Roles;
import io.metricstore.limits.ExpensiveReads;
import io.metricstore.limits.SlowReaders;
import io.metricstore.store.StoreException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import java.nio.charset.StandardCharsets;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestMulti;

/**
 * The stored series for Prometheus, from this replica's copy of the state. The exposition is rendered and written a
 * piece at a time, each piece once the client has taken the one before: no thread waits on a slow client, the
 * service holds at most one piece for it, and one that stops reading is cut off ({@link SlowReaders}).
 */
@Path("/metrics")
@Tag(name = "exposition")
public class MetricsResource {

    /** Characters per piece: large enough that a scrape is a few hundred writes, small enough to hold per client. */
    static final int PIECE = 1 << 16;

    private final FollowerCache cache;
    private final ExpensiveReads reads;
    private final SlowReaders slowReaders;

    public MetricsResource(FollowerCache cache, ExpensiveReads reads, SlowReaders slowReaders) {
        this.cache = cache;
        this.reads = reads;
        this.slowReaders = slowReaders;
    }

    @GET
    @Operation(summary = "The stored series in the Prometheus exposition format",
            description = "Text format 0.0.4 by default; OpenMetrics 1.0.0 when the Accept header prefers "
                    + "application/openmetrics-text, as a Prometheus server sends it. gzip when accepted. A client "
                    + "that leaves a piece of the answer untaken for store.limits.write-timeout is disconnected.")
    @APIResponse(responseCode = "200", description = "The exposition", content = {
        @Content(mediaType = "text/plain; version=0.0.4", schema = @Schema(type = SchemaType.STRING)),
        @Content(mediaType = "application/openmetrics-text; version=1.0.0", schema = @Schema(type = SchemaType.STRING))})
    @APIResponse(responseCode = "400", description = "validation: timestamps is neither true nor false",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem")))
    @RolesAllowed(Roles.READER)
    public RestMulti<Buffer> metrics(
            @HeaderParam("Accept") String accept,
            @Parameter(description = "true: add each sample's updatedAt (Prometheus stamps scrapes itself)")
            @QueryParam("timestamps") String timestamps, @Context RoutingContext request) {
        boolean withTimestamps = timestamps(timestamps);
        ExpositionFormat format = ExpositionFormat.negotiate(accept);
        FollowerCache.Rendering rendering = cache.rendering(format, withTimestamps);
        ExpensiveReads.Permit permit = reads.admit(request);
        // Quarkus marks each answer uncompressed until its REST layer finds the content type in
        // quarkus.http.compress-media-types, which it does not for a stream; both formats are in that list.
        request.response().headers().remove(HttpHeaders.CONTENT_ENCODING);
        // Each piece is rendered when the one before has been written; the last is followed by an empty one, so the
        // answer ends only once the client has taken the last piece (and the write timeout watches it too).
        Multi<Buffer> pieces = Multi.createBy().repeating()
                .supplier(() -> Buffer.buffer(rendering.next(PIECE).getBytes(StandardCharsets.UTF_8)))
                .until(piece -> piece.length() == 0)
                // Rendered on a worker, off the event loop; no worker waits for the client.
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .onTermination().invoke(permit::close);
        return RestMulti.fromMultiData(slowReaders.guard(pieces, SlowReaders.Endpoint.METRICS, request.request()))
                .header(HttpHeaders.CONTENT_TYPE, format.contentType())
                .build();
    }

    private static boolean timestamps(String text) {
        if (text == null || text.equals("false")) {
            return false;
        }
        if (text.equals("true") || text.isEmpty()) {
            return true;
        }
        throw new StoreException.Validation("timestamps", "must be true or false");
    }
}
