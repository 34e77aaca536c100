package io.metricstore.store.model;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
     * The snapshot order of {@linkplain #sortKey sort keys}: Unicode code point order, which is also the order of
     * their UTF-8 bytes, so that Redis' {@code ZRANGEBYLEX} pages the same way. {@link String#compareTo} compares
     * UTF-16 units, which puts characters above U+FFFF (surrogate pairs) below U+E000..U+FFFF.
     */
    public static final Comparator<String> ORDER = SeriesId::compareCodePoints;

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
        // One string per series compared as text is several times faster than walking two label maps per
        // comparison, and this sorts every series it is given.
        Arrays.sort(keyed, Comparator.comparing(Keyed::key, ORDER));
        List<Series> out = new ArrayList<>(keyed.length);
        for (Keyed one : keyed) {
            out.add(one.series());
        }
        return out;
    }

    private record Keyed(String key, Series series) {
    }

    /** {@link #ORDER}: as {@link String#compareTo} except where a surrogate meets a character from U+E000 up. */
    static int compareCodePoints(String a, String b) {
        int length = Math.min(a.length(), b.length());
        for (int i = 0; i < length; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y) {
                return codePointRank(x) - codePointRank(y);
            }
        }
        return a.length() - b.length();
    }

    /** Moves surrogates (U+D800..U+DFFF) above U+E000..U+FFFF, where the code points they encode belong. */
    private static int codePointRank(char c) {
        if (c < '\uD800') {
            return c;
        }
        return c >= '\uE000' ? c - 0x800 : c + 0x2000;
    }

    /**
     * Compares two series by identity in snapshot order, as {@link #ORDER} compares their sort keys, without building
     * them: by name, then label by label (name, then value), a shorter label set first. (A value's escapes and the
     * separators keep this order: U+0000 ends each part and sorts below everything else.)
     */
    public static int compare(String name, SortedMap<String, String> labels, String otherName,
                              SortedMap<String, String> otherLabels) {
        int byName = compareCodePoints(name, otherName);
        if (byName != 0) {
            return byName;
        }
        Iterator<Map.Entry<String, String>> these = labels.entrySet().iterator();
        Iterator<Map.Entry<String, String>> those = otherLabels.entrySet().iterator();
        while (these.hasNext() && those.hasNext()) {
            Map.Entry<String, String> one = these.next();
            Map.Entry<String, String> other = those.next();
            int byLabel = compareCodePoints(one.getKey(), other.getKey());
            if (byLabel == 0) {
                byLabel = compareCodePoints(one.getValue(), other.getValue());
            }
            if (byLabel != 0) {
                return byLabel;
            }
        }
        return Boolean.compare(these.hasNext(), those.hasNext());
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

    /** {@link #sortKey(MetricPoint)} of the series {@code id}. */
    public static String sortKey(String id) {
        MetricPoint point = parse(id, 0, Instant.EPOCH);
        return sortKey(point.name(), point.labels());
    }

    /**
     * The name and labels a {@linkplain #sortKey sort key} was made of: its inverse. Empty for a string that is not a
     * sort key (a label without its value, an unknown escape, labels out of order), so a key from outside can be
     * checked with it.
     */
    public static Optional<Parts> parseSortKey(String key) {
        int end = key.indexOf('\u0000');
        if (end <= 0) {
            return Optional.empty();
        }
        String name = key.substring(0, end);
        TreeMap<String, String> labels = new TreeMap<>();
        String previous = null;
        int i = end + 1;
        while (i < key.length()) {
            int nameEnd = key.indexOf('\u0000', i);
            if (nameEnd <= i) {
                return Optional.empty();
            }
            String label = key.substring(i, nameEnd);
            if (previous != null && label.compareTo(previous) <= 0) {
                return Optional.empty();
            }
            StringBuilder value = new StringBuilder();
            i = nameEnd + 1;
            for (;; i++) {
                if (i >= key.length()) {
                    return Optional.empty();
                }
                char c = key.charAt(i);
                if (c == '\u0000') {
                    break;
                }
                if (c == '\u0001') {
                    char escaped = ++i < key.length() ? key.charAt(i) : 0;
                    if (escaped != '\u0001' && escaped != '\u0002') {
                        return Optional.empty();
                    }
                    value.append(escaped == '\u0001' ? '\u0000' : '\u0001');
                } else {
                    value.append(c);
                }
            }
            labels.put(label, value.toString());
            previous = label;
            i++;
        }
        return Optional.of(new Parts(name, labels));
    }

    /** A series identity taken apart: its metric name and label set. */
    public record Parts(String name, SortedMap<String, String> labels) {

        public String id() {
            return of(name, labels);
        }
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
