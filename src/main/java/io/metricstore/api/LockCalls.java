package io.metricstore.api;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import java.util.function.Supplier;

/**
 * Where a lock or lease call runs: on the HTTP event loop where the backend never waits (two thread hand-offs per
 * request would cost more than the call itself, docs/benchmarks.md), on a worker thread where it waits on I/O.
 */
final class LockCalls {

    private LockCalls() {
    }

    static <T> Uni<T> call(boolean onWorker, Supplier<T> work) {
        Uni<T> uni = Uni.createFrom().item(work);
        return onWorker ? uni.runSubscriptionOn(Infrastructure.getDefaultWorkerPool()) : uni;
    }
}
