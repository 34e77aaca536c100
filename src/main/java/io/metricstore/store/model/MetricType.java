package io.metricstore.store.model;

import java.util.List;
import java.util.Optional;

/** The type of a metric family, and the sample-name suffixes Prometheus gives its series. */
public enum MetricType implements WireName {
    COUNTER("counter", List.of("_total", "_created")),
    GAUGE("gauge", List.of()),
    HISTOGRAM("histogram", List.of("_bucket", "_sum", "_count", "_created")),
    SUMMARY("summary", List.of("_sum", "_count", "_created")),
    UNTYPED("untyped", List.of());

    private final String wire;
    private final List<String> suffixes;

    MetricType(String wire, List<String> suffixes) {
        this.wire = wire;
        this.suffixes = suffixes;
    }

    @Override
    public String wire() {
        return wire;
    }

    /** What a series name may add to the family name and still belong to the family. */
    public List<String> suffixes() {
        return suffixes;
    }

    public static Optional<MetricType> parse(String text) {
        return WireName.parse(values(), text);
    }
}
