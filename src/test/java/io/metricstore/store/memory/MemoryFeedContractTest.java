package io.metricstore.store.memory;

import io.metricstore.store.FeedContract;
import io.metricstore.store.StoreBackend;
import io.metricstore.store.StoreConfig;

/** The feed contract (the snapshot and the change feed), against the in-process backend. */
class MemoryFeedContractTest extends FeedContract {

    @Override
    protected StoreBackend newBackend(StoreConfig config) {
        return new MemoryBackend(config);
    }
}
