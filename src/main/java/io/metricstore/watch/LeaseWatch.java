package io.metricstore.watch;

import io.metricstore.store.MetricStore;
import io.metricstore.store.model.LeaseState;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/** Long-polls on leases (SPEC §3, {@code GET /leases/{name}?wait=&fence=}). */
@Singleton
public class LeaseWatch {

    private final MetricStore store;

    public LeaseWatch(MetricStore store) {
        this.store = store;
    }

    /**
     * The lease's state as soon as its fence differs from {@code fence} or it is free (without {@code fence}: as soon as
     * its holder or fence differs from the state at the call), or after {@code wait} its state then.
     */
    public Uni<Optional<LeaseState>> observe(String name, Duration wait, OptionalLong fence) {
        return Uni.createFrom().item(() -> store.observe(name)).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }
}
