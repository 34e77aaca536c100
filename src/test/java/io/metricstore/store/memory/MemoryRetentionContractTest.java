package io.metricstore.store.memory;

import io.metricstore.store.RetentionContract;
import io.metricstore.store.StoreBackend;
import io.metricstore.store.StoreConfig;

/** The retention contract (retention, expiry and the GC of series and tombstones), against the in-process backend. */
class MemoryRetentionContractTest extends RetentionContract {

    @Override
    protected StoreBackend newBackend(StoreConfig config) {
        return new MemoryBackend(config);
    }
}
