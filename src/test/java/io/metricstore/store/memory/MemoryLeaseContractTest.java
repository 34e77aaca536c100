package io.metricstore.store.memory;

import io.metricstore.store.LeaseContract;
import io.metricstore.store.StoreBackend;
import io.metricstore.store.StoreConfig;

/** The lease contract, against the in-process backend. */
class MemoryLeaseContractTest extends LeaseContract {

    @Override
    protected StoreBackend newBackend(StoreConfig config) {
        return new MemoryBackend(config);
    }
}
