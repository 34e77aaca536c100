package io.metricstore.store.model;

import java.time.Instant;
import java.util.SortedMap;

/**
 * One validated sample of a series. Labels are kept sorted by name so that the series id and the snapshot order
 * follow directly from them; {@code updatedAt} has millisecond precision, as Prometheus timestamps do.
 */
public record MetricPoint(String name, SortedMap<String, String> labels, double value, Instant updatedAt) {

    public MetricPoint {
        name = Labels.intern(name);
        labels = Labels.copyOf(labels);
    }

    /** The canonical Prometheus form {@code name{a="x",b="y"}}, the identity of the series. */
    public String seriesId() {
        return SeriesId.of(name, labels);
    }
}
