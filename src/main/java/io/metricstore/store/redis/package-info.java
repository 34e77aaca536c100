/**
 * The shared backend ({@code store.backend=redis}): {@link io.metricstore.store.redis.RedisBackend}, its key layout,
 * its Lua scripts (resources beside this package) and their typed replies, the fault tolerance around every round
 * trip ({@link io.metricstore.store.redis.RedisGuard}, {@link io.metricstore.store.redis.RedisRetry}), the sorting of
 * Redis failures into outages and bugs, and the check of this replica's clock and the key layout against the server
 * ({@code ServerCheck}).
 *
 * <p>Depends on {@code store}, {@code store.model}, the Quarkus Redis client and SmallRye Fault Tolerance.
 */
package io.metricstore.store.redis;
