package io.metricstore.store;

/** The contract, against the in-process backend. */
class MemoryStoreContractTest extends StoreContractTest {

    @Override
    protected StoreBackend newBackend(StoreConfig config) {
        return new MemoryStore(config);
    }
}
