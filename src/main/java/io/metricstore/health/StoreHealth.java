package io.metricstore.health;

import io.metricstore.exposition.FollowerCache;
import io.metricstore.store.Breaker;
import io.metricstore.store.CircuitState;
import io.metricstore.store.MetricStore;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import java.util.Map;
import java.util.Optional;
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
 * the application has finished starting. Readiness also requires the /metrics copy of the state to be current.
 * A backend that refuses only writes leaves the replica ready: it still serves snapshots, changes and its /metrics
 * copy; the check's data says that writes are unavailable, and why.
 */
@ApplicationScoped
public class StoreHealth {

    private final MetricStore store;
    private final FollowerCache cache;
    private final AtomicBoolean started = new AtomicBoolean();

    public StoreHealth(MetricStore store, FollowerCache cache) {
        this.store = store;
        this.cache = cache;
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
            Optional<String> unready = store.unready();
            HealthCheckResponseBuilder response = HealthCheckResponse.named("store-backend")
                    .status(unready.isEmpty())
                    .withData("backend", store.backendName());
            unready.ifPresent(reason -> response.withData("reason", reason));
            Map<Breaker, CircuitState> circuits = store.circuits();
            // "circuit" is the breaker every call passes, under the name it had when there was only one.
            Optional.ofNullable(circuits.get(Breaker.READS)).ifPresent(state -> response.withData("circuit", state.wire()));
            Optional.ofNullable(circuits.get(Breaker.WRITES)).ifPresent(state -> response.withData("writes", state.wire()));
            store.unwritable().ifPresent(reason -> response.withData("writesUnavailable", reason));
            return response.build();
        };
    }

    /** /metrics serves this replica's copy: not ready before it caught up once, nor when it stopped catching up. */
    @Produces
    @Readiness
    HealthCheck exposition() {
        return () -> HealthCheckResponse.named("exposition-cache")
                .status(cache.fresh())
                .withData("series", cache.size())
                .withData("ageSeconds", cache.age().map(age -> age.toMillis() / 1000.0).map(String::valueOf).orElse("never"))
                .build();
    }

    @Produces
    @Startup
    HealthCheck startedCheck() {
        return () -> HealthCheckResponse.named("metric-store-started").status(started.get()).build();
    }
}
