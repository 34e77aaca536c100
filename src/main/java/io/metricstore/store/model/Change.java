package io.metricstore.store.model;

/** The latest change of one series: its current state, or its deletion ({@code series} is then null). */
public record Change(String id, boolean deleted, Series series) {

    public static Change upsert(Series series) {
        return new Change(series.id(), false, series);
    }

    public static Change deletion(String id) {
        return new Change(id, true, null);
    }
}
