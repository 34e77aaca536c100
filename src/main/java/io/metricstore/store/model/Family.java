package io.metricstore.store.model;

/** Type and help of a metric family, as the writers describe it for the exposition. */
public record Family(String name, MetricType type, String help) {
}
