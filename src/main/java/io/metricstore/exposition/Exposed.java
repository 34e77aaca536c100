package io.metricstore.exposition;

import io.metricstore.store.model.MetricType;
import io.metricstore.store.model.Series;

/**
 * A series placed in its family: the family's name and description, and which of the type's samples it is
 * ({@code suffix} is "" for the family's own name, else one of {@link MetricType#suffixes()}).
 */
public record Exposed(String family, MetricType type, String help, boolean described, String suffix, Series series) {
}
