/**
 * The shared backend ({@code store.backend=redis}): {@link io.metricstore.store.redis.RedisBackend}, its key layout,
 * its Lua scripts (resources beside this package) and their typed replies, the fault tolerance around every round
 * trip ({@link io.metricstore.store.redis.RedisGuard}) and the sorting of Redis failures into outages and bugs.
 *
 * <p>Depends on {@code store}, {@code store.model}, the Quarkus Redis client and SmallRye Fault Tolerance.
 */
package io.metricstore.store.redis;
