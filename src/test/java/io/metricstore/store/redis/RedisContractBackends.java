package io.metricstore.store.redis;

import io.metricstore.store.StoreBackend;
import io.metricstore.store.StoreConfig;
import io.quarkus.redis.datasource.RedisDataSource;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import java.util.UUID;

/**
 * What the Redis contract tests need to make an empty backend: the application's Redis client and guard, and a
 * namespace of its own for every store, so tests never share state. The client comes through {@link Instance}, as in
 * {@code RedisBackend}: applications of the memory profile have no active Redis client.
 */
@Singleton
public class RedisContractBackends {

    private final Instance<RedisDataSource> redis;
    private final RedisGuard guard;

    public RedisContractBackends(Instance<RedisDataSource> redis, RedisGuard guard) {
        this.redis = redis;
        this.guard = guard;
    }

    /** The properties that give a store a fresh namespace. */
    public String[] freshNamespace() {
        return new String[] {"store.namespace", "contract-" + UUID.randomUUID()};
    }

    public StoreBackend backend(StoreConfig config) {
        return new RedisBackend(redis.get(), config, guard);
    }
}
