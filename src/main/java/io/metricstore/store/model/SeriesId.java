package io.metricstore.store.model;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** The series identity rules: the canonical id and the order in which series are listed. */
public final class SeriesId {

    private SeriesId() {
    }

    /** {@code name{a="x",b="y"}} with label values escaped as in the text exposition format; no labels: {@code name}. */
    public static String of(String name, SortedMap<String, String> labels) {
        if (labels.isEmpty()) {
            return name;
        }
        StringBuilder id = new StringBuilder(name.length() + labels.size() * 16).append(name).append('{');
        boolean first = true;
        for (Map.Entry<String, String> label : labels.entrySet()) {
            if (!first) {
                id.append(',');
            }
            first = false;
            id.append(label.getKey()).append("=\"");
            escapeLabelValue(label.getValue(), id);
            id.append('"');
        }
        return id.append('}').toString();
    }

    /** Escapes backslash, double quote and line feed, exactly as the exposition format does. */
    public static void escapeLabelValue(String value, StringBuilder out) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
    }

    /** The name and labels of a canonical id: the inverse of {@link #of}. */
    public static MetricPoint parse(String id, double value, Instant updatedAt) {
        int brace = id.indexOf('{');
        if (brace < 0) {
            return new MetricPoint(id, new TreeMap<>(), value, updatedAt);
        }
        TreeMap<String, String> labels = new TreeMap<>();
        int i = brace + 1;
        while (id.charAt(i) != '}') {
            int equals = id.indexOf('=', i);
            String name = id.substring(i, equals);
            StringBuilder labelValue = new StringBuilder();
            i = equals + 2; // past ="
            for (char c = id.charAt(i); c != '"'; c = id.charAt(i)) {
                if (c == '\\') {
                    char escaped = id.charAt(++i);
                    labelValue.append(escaped == 'n' ? '\n' : escaped);
                } else {
                    labelValue.append(c);
                }
                i++;
            }
            labels.put(name, labelValue.toString());
            i++; // past the closing quote
            if (id.charAt(i) == ',') {
                i++;
            }
        }
        return new MetricPoint(id.substring(0, brace), labels, value, updatedAt);
    }

    /**
     * Sorts series the way snapshots list them: by metric name, then by the sorted label pairs (name, then value),
     * a shorter label set first.
     */
    public static List<Series> sorted(Collection<Series> series) {
        Keyed[] keyed = new Keyed[series.size()];
        int i = 0;
        for (Series one : series) {
            keyed[i++] = new Keyed(sortKey(one.point()), one);
        }
        // One string per series compared with String.compareTo is several times faster than walking two label
        // maps per comparison, and a snapshot sorts every live series.
        Arrays.sort(keyed, Comparator.comparing(Keyed::key));
        List<Series> out = new ArrayList<>(keyed.length);
        for (Keyed one : keyed) {
            out.add(one.series());
        }
        return out;
    }

    private record Keyed(String key, Series series) {
    }

    /**
     * A string whose natural order is the snapshot order: name, then each label name and value, each followed by
     * U+0000. Label values may hold U+0000 and U+0001 themselves, so those are written as two characters that sort
     * where the originals did (U+0001 U+0001 and U+0001 U+0002), above the separator and below every other
     * character. Metric and label names cannot hold either.
     */
    static String sortKey(MetricPoint point) {
        return sortKey(point.name(), point.labels());
    }

    /** {@link #sortKey(MetricPoint)} of a name and label set. */
    public static String sortKey(String name, SortedMap<String, String> labels) {
        StringBuilder key = new StringBuilder(name.length() + labels.size() * 24);
        key.append(name).append('\u0000');
        for (Map.Entry<String, String> label : labels.entrySet()) {
            key.append(label.getKey()).append('\u0000');
            String value = label.getValue();
            for (int c = 0; c < value.length(); c++) {
                char ch = value.charAt(c);
                if (ch <= '\u0001') {
                    key.append('\u0001').append(ch == '\u0000' ? '\u0001' : '\u0002');
                } else {
                    key.append(ch);
                }
            }
            key.append('\u0000');
        }
        return key.toString();
    }
}
