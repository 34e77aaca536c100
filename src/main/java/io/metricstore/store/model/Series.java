package io.metricstore.store.model;

/** A live series as stored: its latest point and who wrote it. */
public record Series(String id, MetricPoint point, WriteSource source) {
}
