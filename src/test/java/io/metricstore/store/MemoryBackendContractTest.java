package io.metricstore.store;

import io.metricstore.store.memory.MemoryBackend;

/** The contract, against the in-process backend. */
class MemoryBackendContractTest extends StoreContractTest {

    @Override
    protected StoreBackend newBackend(StoreConfig config) {
        return new MemoryBackend(config);
    }
}
