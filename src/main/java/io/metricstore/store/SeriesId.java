package io.metricstore.store;

import java.time.Instant;
import java.util.Comparator;
import java.util.Iterator;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** The series identity rules: the canonical id and the order in which series are listed. */
public final class SeriesId {

    /** By metric name, then by the sorted label pairs (name, then value), a shorter label set first. */
    public static final Comparator<MetricPoint> ORDER = SeriesId::compare;

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

    private static int compare(MetricPoint a, MetricPoint b) {
        int byName = a.name().compareTo(b.name());
        if (byName != 0) {
            return byName;
        }
        Iterator<Map.Entry<String, String>> left = a.labels().entrySet().iterator();
        Iterator<Map.Entry<String, String>> right = b.labels().entrySet().iterator();
        while (left.hasNext() && right.hasNext()) {
            Map.Entry<String, String> l = left.next();
            Map.Entry<String, String> r = right.next();
            int byLabel = l.getKey().compareTo(r.getKey());
            if (byLabel == 0) {
                byLabel = l.getValue().compareTo(r.getValue());
            }
            if (byLabel != 0) {
                return byLabel;
            }
        }
        return Boolean.compare(left.hasNext(), right.hasNext());
    }
}
