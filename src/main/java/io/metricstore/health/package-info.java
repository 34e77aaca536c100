/**
 * The liveness, readiness and started probes: readiness follows the selected backend and the freshness of the
 * {@code /metrics} copy; liveness never looks at the backend.
 *
 * <p>Depends on {@code store} and {@code exposition}.
 */
package io.metricstore.health;
