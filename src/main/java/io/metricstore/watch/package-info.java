/**
 * Watching the change feed (SPEC §3, Watch): long-polls of {@code GET /changes?wait=}, the event streams of
 * {@code GET /changes/stream}, and the bound on how many wait at once. Waiters hold no thread: a backend's change
 * signal ({@link io.metricstore.store.StoreBackend#watch}) wakes them, one feed read per cursor they wait at
 * ({@link io.metricstore.watch.Coalesced}), and Vert.x timers end their waits.
 */
package io.metricstore.watch;
