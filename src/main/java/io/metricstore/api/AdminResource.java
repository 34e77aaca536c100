package io.metricstore.api;

import io.metricstore.auth.Audit;
import io.metricstore.auth.Roles;
import io.metricstore.store.MetricStore;
import io.metricstore.store.model.GcReport;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
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
    private final SecurityIdentity identity;

    public AdminResource(MetricStore store, SecurityIdentity identity) {
        this.store = store;
        this.identity = identity;
    }

    @POST
    @Path("/gc")
    @Operation(summary = "Run the GC now",
            description = "Expires series (recording deletions in the feed), purges expired locks, trims old tombstones.")
    @APIResponse(responseCode = "200", description = "What this run removed",
            content = @Content(schema = @Schema(implementation = GcReport.class)))
    @RolesAllowed(Roles.ADMIN)
    public GcReport gc() {
        GcReport report = store.gc();
        Audit.record(Audit.caller(identity), "admin.gc", "-", "ran expiredSeries=" + report.expiredSeries()
                + " expiredLocks=" + report.expiredLocks() + " trimmedTombstones=" + report.trimmedTombstones());
        return report;
    }
}
