package io.metricstore.exposition;

import io.metricstore.auth.Roles;
import io.metricstore.limits.ExpensiveReads;
import io.metricstore.store.StoreException;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The stored series for Prometheus, from this replica's copy of the state. */
@Path("/metrics")
@Tag(name = "exposition")
public class MetricsResource {

    private final FollowerCache cache;
    private final ExpensiveReads reads;

    public MetricsResource(FollowerCache cache, ExpensiveReads reads) {
        this.cache = cache;
        this.reads = reads;
    }

    @GET
    @Operation(summary = "The stored series in the Prometheus exposition format",
            description = "Text format 0.0.4 by default; OpenMetrics 1.0.0 when the Accept header prefers "
                    + "application/openmetrics-text, as a Prometheus server sends it. gzip when accepted.")
    @APIResponse(responseCode = "200", description = "The exposition", content = {
        @Content(mediaType = "text/plain; version=0.0.4", schema = @Schema(type = SchemaType.STRING)),
        @Content(mediaType = "application/openmetrics-text; version=1.0.0", schema = @Schema(type = SchemaType.STRING))})
    @APIResponse(responseCode = "400", description = "validation: timestamps is neither true nor false",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem")))
    @RolesAllowed(Roles.READER)
    public Response metrics(@HeaderParam("Accept") String accept,
                            @Parameter(description = "true: add each sample's updatedAt (Prometheus stamps scrapes itself)")
                            @QueryParam("timestamps") String timestamps, @Context RoutingContext request) {
        boolean withTimestamps = timestamps(timestamps);
        ExpositionFormat format = ExpositionFormat.negotiate(accept);
        cache.ensureLoaded();
        reads.admit(request);
        StreamingOutput body = output -> {
            BufferedWriter writer = new BufferedWriter(new OutputStreamWriter(output, StandardCharsets.UTF_8), 1 << 16);
            cache.render(writer, format, withTimestamps);
        };
        return Response.ok(body).type(format.contentType()).build();
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
