/**
 * What callers can make one replica do at once (SPEC §6): the expensive reads ({@link io.metricstore.limits.ExpensiveReads}:
 * snapshots and {@code /metrics}) share a bounded number of permits, so that many or slow readers never take every
 * worker thread.
 */
package io.metricstore.limits;
