package io.metricstore.store.memory;

import io.metricstore.store.SnapshotPageContract;
import io.metricstore.store.StoreBackend;
import io.metricstore.store.StoreConfig;

/** The snapshot page contract, against the in-process backend. */
class MemorySnapshotPageContractTest extends SnapshotPageContract {

    @Override
    protected StoreBackend newBackend(StoreConfig config) {
        return new MemoryBackend(config);
    }
}
