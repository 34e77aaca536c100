package io.metricstore.store;

import java.time.Instant;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One validated sample of a series. Labels are kept sorted by name so that the series id and the snapshot order
 * follow directly from them; {@code updatedAt} has millisecond precision, as Prometheus timestamps do.
 */
public record MetricPoint(String name, SortedMap<String, String> labels, double value, Instant updatedAt) {

    /** The class of the copies made here: a label set that already is one is shared, not copied again. */
    private static final Class<?> OWN_COPY = Collections.unmodifiableSortedMap(new TreeMap<>()).getClass();

    public MetricPoint {
        if (labels.getClass() != OWN_COPY) {
            labels = Collections.unmodifiableSortedMap(new TreeMap<>(labels));
        }
    }

    /** The canonical Prometheus form {@code name{a="x",b="y"}}, the identity of the series. */
    public String seriesId() {
        return SeriesId.of(name, labels);
    }
}
