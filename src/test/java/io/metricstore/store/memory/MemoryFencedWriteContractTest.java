package io.metricstore.store.memory;

import io.metricstore.store.FencedWriteContract;
import io.metricstore.store.StoreBackend;
import io.metricstore.store.StoreConfig;

/** The fenced-write contract, against the in-process backend. */
class MemoryFencedWriteContractTest extends FencedWriteContract {

    @Override
    protected StoreBackend newBackend(StoreConfig config) {
        return new MemoryBackend(config);
    }
}
