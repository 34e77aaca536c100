/**
 * {@code GET /metrics}: this replica's copy of the shared state (a snapshot, then the change feed) and its rendering
 * in the Prometheus text and OpenMetrics formats.
 *
 * <p>Depends on {@code store} and {@code store.model}.
 */
package io.metricstore.exposition;
