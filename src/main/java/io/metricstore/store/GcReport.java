package io.metricstore.store;

/** What one GC run removed. */
public record GcReport(int expiredSeries, int expiredLocks, int trimmedTombstones) {

    public static final GcReport NOTHING = new GcReport(0, 0, 0);
}
