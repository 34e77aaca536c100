package io.metricstore.store.model;

/** What one GC run removed. */
public record GcReport(int expiredSeries, int expiredLocks, int trimmedTombstones) {
}
