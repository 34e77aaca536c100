package io.metricstore.store.memory;

import io.metricstore.store.StoreBackend;
import io.metricstore.store.StoreConfig;
import io.metricstore.store.WriteContract;

/**
 * The write contract (precedence, the series cap, families, empty batches and concurrent writers), against the
 * in-process backend.
 */
class MemoryWriteContractTest extends WriteContract {

    @Override
    protected StoreBackend newBackend(StoreConfig config) {
        return new MemoryBackend(config);
    }
}
