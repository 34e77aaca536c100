package io.metricstore.exposition;

import io.metricstore.store.model.Family;
import io.metricstore.store.model.MetricType;
import io.metricstore.store.model.Series;
import io.metricstore.store.model.SeriesId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Places series in families. A series belongs to the described family whose name it equals, or equals plus one of
 * that type's suffixes ({@code _bucket}, {@code _sum}, {@code _count}, {@code _total}, {@code _created}); a counter
 * may be described with or without {@code _total}. Anything else is a family of its own, untyped; a series named
 * exactly like a counter or histogram family is left out (see {@link #place}).
 */
final class FamilyIndex {

    private static final List<String> SUFFIXES = List.of("_bucket", "_count", "_created", "_sum", "_total");

    private final Map<String, Family> byName = new HashMap<>();
    private final List<Family> families;

    FamilyIndex(List<Family> families) {
        this.families = List.copyOf(families);
        for (Family family : families) {
            if (family.type() == MetricType.COUNTER && family.name().endsWith("_total")) {
                String base = family.name().substring(0, family.name().length() - "_total".length());
                byName.putIfAbsent(base, new Family(base, family.type(), family.help()));
            } else {
                byName.putIfAbsent(family.name(), family);
            }
        }
    }

    boolean describes(List<Family> other) {
        return families.equals(other);
    }

    /**
     * The series in its family, or null for a series named exactly like a counter or histogram family: such a
     * sample is not part of that type (a counter has only {@code _total} and {@code _created} samples), and as a
     * family of its own it would share the described family's name, which OpenMetrics forbids. It is left out.
     */
    Exposed place(Series series) {
        String name = series.point().name();
        for (String suffix : SUFFIXES) {
            if (name.endsWith(suffix)) {
                Family family = byName.get(name.substring(0, name.length() - suffix.length()));
                if (family != null && family.type().suffixes().contains(suffix)) {
                    return new Exposed(family.name(), family.type(), family.help(), true, suffix, series);
                }
            }
        }
        Family family = byName.get(name);
        if (family != null) {
            boolean ownSample = family.type() == MetricType.GAUGE || family.type() == MetricType.SUMMARY
                    || family.type() == MetricType.UNTYPED;
            return ownSample ? new Exposed(family.name(), family.type(), family.help(), true, "", series) : null;
        }
        return new Exposed(name, MetricType.UNTYPED, "", false, "", series);
    }

    /**
     * The exposition order: by family name, then by label set (without {@code le} and {@code quantile}), then by
     * sample (buckets or quantiles, count, sum, created), then numerically by {@code le} or {@code quantile}. So a
     * family is contiguous and each histogram or summary point is whole, buckets in increasing order.
     */
    static String orderKey(Exposed exposed) {
        SortedMap<String, String> labels = exposed.series().point().labels();
        String bound = null;
        if (labels.containsKey("le") || labels.containsKey("quantile")) {
            TreeMap<String, String> rest = new TreeMap<>(labels);
            bound = rest.remove(exposed.type() == MetricType.SUMMARY ? "quantile" : "le");
            labels = rest;
        }
        return SeriesId.sortKey(exposed.family(), labels) + '\u0000' + sampleRank(exposed) + '\u0000'
                + (bound == null ? "" : numeric(bound));
    }

    private static char sampleRank(Exposed exposed) {
        return switch (exposed.suffix()) {
            case "_count" -> '1';
            case "_sum" -> '2';
            case "_created" -> '3';
            default -> '0';
        };
    }

    /** A bound as text that sorts like the number; text that is no number sorts after all numbers, as itself. */
    private static String numeric(String bound) {
        double value;
        try {
            value = bound.equals("+Inf") ? Double.POSITIVE_INFINITY
                    : bound.equals("-Inf") ? Double.NEGATIVE_INFINITY : Double.parseDouble(bound);
        } catch (NumberFormatException e) {
            return "~" + bound;
        }
        long bits = Double.doubleToLongBits(value);
        // Flip so that unsigned order of the bits is numeric order: negatives inverted, positives above them.
        bits = bits < 0 ? ~bits : bits | Long.MIN_VALUE;
        return String.format("%016x", bits);
    }
}
