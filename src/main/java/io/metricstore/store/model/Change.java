package io.metricstore.store.model;

/**
 * The latest change of one series: its current state, or its deletion ({@code series} is then null), and the
 * sequence at which the feed recorded it, so that a watcher can resume right after any single event.
 */
public record Change(String id, boolean deleted, Series series, long sequence) {

    public static Change upsert(Series series, long sequence) {
        return new Change(series.id(), false, series, sequence);
    }

    public static Change deletion(String id, long sequence) {
        return new Change(id, true, null, sequence);
    }
}
