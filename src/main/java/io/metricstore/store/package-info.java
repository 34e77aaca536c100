/**
 * The store as a service: {@link io.metricstore.store.MetricStore} (the one entry point, applying every input rule),
 * the backend contract {@link io.metricstore.store.StoreBackend}, configuration and its check, the producer that
 * selects the backend, telemetry, refusals, and the input rules (validation, write guard, names, timestamps).
 *
 * <p>Depends on {@code store.model} only; never on a backend package. Backends depend on this package and offer
 * themselves with {@link io.metricstore.store.ForBackend}.
 */
package io.metricstore.store;
