package io.metricstore.store.redis;

import io.metricstore.store.StoreBackend;
import io.metricstore.store.StoreConfig;
import io.quarkus.redis.datasource.RedisDataSource;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import java.time.Clock;
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
    private final RedisWriteGuard writeGuard;
    private final RedisRetry retry;
    private final Clock clock;

    public RedisContractBackends(Instance<RedisDataSource> redis, RedisGuard guard, RedisWriteGuard writeGuard,
                                 RedisRetry retry, Clock clock) {
        this.redis = redis;
        this.guard = guard;
        this.writeGuard = writeGuard;
        this.retry = retry;
        this.clock = clock;
    }

    /**
     * The properties that give a store a fresh namespace. The contracts move their clock by hours, far from Redis'
     * own: the replica clock check is off for them (its own test is {@code RedisClockSkewTest}).
     */
    public String[] freshNamespace() {
        return new String[] {"store.namespace", "contract-" + UUID.randomUUID(), "store.max-replica-skew", "3650d"};
    }

    /** The application's Redis, to look at or change a store's keys behind its back. */
    public RedisDataSource redis() {
        return redis.get();
    }

    /** A backend on the application's Redis, checking the replica clock against the application's clock. */
    public StoreBackend backend(StoreConfig config) {
        return backend(config, clock);
    }

    /** A backend on {@code redis} (the application's, seen through a test's proxy), checking the application's clock. */
    public StoreBackend backend(StoreConfig config, RedisDataSource redis) {
        return new RedisBackend(redis, config, guard, writeGuard, retry, clock);
    }

    /** A backend on the application's Redis, as a replica whose clock is {@code clock}. */
    public StoreBackend backend(StoreConfig config, Clock clock) {
        return new RedisBackend(redis.get(), config, guard, writeGuard, retry, clock);
    }
}
