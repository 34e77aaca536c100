package io.metricstore.store.memory;

import io.metricstore.store.LockContract;
import io.metricstore.store.StoreBackend;
import io.metricstore.store.StoreConfig;

/** The lock contract (locks, the GC lock and the lock race), against the in-process backend. */
class MemoryLockContractTest extends LockContract {

    @Override
    protected StoreBackend newBackend(StoreConfig config) {
        return new MemoryBackend(config);
    }
}
