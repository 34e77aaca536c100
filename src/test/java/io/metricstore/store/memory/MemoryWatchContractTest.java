package io.metricstore.store.memory;

import io.metricstore.store.StoreBackend;
import io.metricstore.store.StoreConfig;
import io.metricstore.store.WatchContract;

/** The watch contract (change signals), against the in-process backend. */
class MemoryWatchContractTest extends WatchContract {

    @Override
    protected StoreBackend newBackend(StoreConfig config) {
        return new MemoryBackend(config);
    }
}
