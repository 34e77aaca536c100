/**
 * Watching the change feed and leases (SPEC §3, Watch): long-polls of {@code GET /changes?wait=}, the event streams
 * of {@code GET /changes/stream}, long-polls of {@code GET /leases/{name}?wait=}, and the bound on how many wait at
 * once ({@link io.metricstore.watch.WaitSlots}). Waiters hold no thread: a backend's signal
 * ({@link io.metricstore.store.StoreBackend#watch}, {@link io.metricstore.store.StoreBackend#watchLeases}) wakes
 * them, one read per cursor or lease they wait on ({@link io.metricstore.watch.Coalesced}), and Vert.x timers end
 * their waits (and read a lease again when it expires, which nobody signals).
 */
package io.metricstore.watch;
