/**
 * The HTTP edge under {@code /api/v1}: resources that parse requests into the service's typed arguments, the JSON
 * bodies, and the mapping of every refusal to an {@code application/problem+json} document.
 *
 * <p>Depends on {@code store} and {@code store.model}; holds no rule of the domain.
 */
package io.metricstore.api;
