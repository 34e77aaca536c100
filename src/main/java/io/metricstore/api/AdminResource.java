package io.metricstore.api;

import io.metricstore.store.MetricStore;
import io.metricstore.store.model.GcReport;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/admin")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "admin")
public class AdminResource {

    private final MetricStore store;

    public AdminResource(MetricStore store) {
        this.store = store;
    }

    @POST
    @Path("/gc")
    @Operation(summary = "Run the GC now",
            description = "Expires series (recording deletions in the feed), purges expired locks, trims old tombstones.")
    @APIResponse(responseCode = "200", description = "What this run removed",
            content = @Content(schema = @Schema(implementation = GcReport.class)))
    public GcReport gc() {
        return store.gc();
    }
}
