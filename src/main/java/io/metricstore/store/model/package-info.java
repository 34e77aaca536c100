/**
 * Immutable values of the domain and the pure rules on them (series ids and their order, precedence, cursors), as
 * the service, the backends, the HTTP edge and the exposition share them; also the epoch ids both backends make and
 * the bounded string interner behind {@code Labels}.
 *
 * <p>Depends on nothing else of the application and throws none of the service's refusals.
 */
package io.metricstore.store.model;
