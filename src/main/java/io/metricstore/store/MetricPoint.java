package io.metricstore.store;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One validated sample of a series. Labels are kept sorted by name so that the series id and the snapshot order
 * follow directly from them; {@code updatedAt} has millisecond precision, as Prometheus timestamps do.
 */
public record MetricPoint(String name, SortedMap<String, String> labels, double value, Instant updatedAt) {

    public MetricPoint {
        labels = Collections.unmodifiableSortedMap(new TreeMap<>(labels));
    }

    public static MetricPoint of(String name, Map<String, String> labels, double value, Instant updatedAt) {
        return new MetricPoint(name, new TreeMap<>(labels), value, updatedAt);
    }

    /** The canonical Prometheus form {@code name{a="x",b="y"}}, the identity of the series. */
    public String seriesId() {
        return SeriesId.of(name, labels);
    }

    /** True when both points carry the same value and time: replaying it changes nothing. */
    public boolean sameSample(MetricPoint other) {
        return Double.compare(value, other.value) == 0 && updatedAt.equals(other.updatedAt);
    }
}
