/**
 * The in-process backend ({@code store.backend=memory}): {@link io.metricstore.store.memory.MemoryBackend} and its
 * internals (the change log, the expiry heap, the lock tables), which are package-private.
 *
 * <p>Depends on {@code store} and {@code store.model}.
 */
package io.metricstore.store.memory;
