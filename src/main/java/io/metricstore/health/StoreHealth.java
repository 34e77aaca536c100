package io.metricstore.health;

import io.metricstore.store.MetricStore;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;
import org.eclipse.microprofile.health.Startup;

/**
 * The three probes. Liveness only says the process serves requests: it never looks at the backend, so an outage
 * of shared state does not make Kubernetes restart every pod. Readiness follows the backend; started flips once
 * the application has finished starting.
 */
@ApplicationScoped
public class StoreHealth {

    private final MetricStore store;
    private final AtomicBoolean started = new AtomicBoolean();

    public StoreHealth(MetricStore store) {
        this.store = store;
    }

    void onStart(@Observes StartupEvent event) {
        started.set(true);
    }

    @Produces
    @Liveness
    HealthCheck alive() {
        return () -> HealthCheckResponse.up("metric-store");
    }

    @Produces
    @Readiness
    HealthCheck backendReady() {
        return () -> {
            HealthCheckResponseBuilder response = HealthCheckResponse.named("store-backend")
                    .status(store.ready())
                    .withData("backend", store.backendName());
            store.backendDetails().forEach(response::withData);
            return response.build();
        };
    }

    @Produces
    @Startup
    HealthCheck startedCheck() {
        return () -> HealthCheckResponse.named("metric-store-started").status(started.get()).build();
    }
}
