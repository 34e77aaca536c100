package io.metricstore.store.model;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An immutable label set sorted by name, kept as one array of alternating names and values. A series holds its
 * labels as long as it lives, so they take a fraction of a {@link TreeMap}'s bytes (docs/benchmarks.md, "Labels"),
 * and names and values repeated across series share one string (see {@link #intern}).
 */
public final class Labels extends AbstractMap<String, String> implements SortedMap<String, String> {

    private static final Labels EMPTY = new Labels(new String[0]);
    /** Strings kept canonical: bounded, and emptied when full, so that unique values cannot grow it forever. */
    private static final int INTERNED_MAX = 1 << 17;
    private static final int INTERNED_MAX_LENGTH = 64;
    private static final ConcurrentHashMap<String, String> INTERNED = new ConcurrentHashMap<>();

    private final String[] pairs;

    private Labels(String[] pairs) {
        this.pairs = pairs;
    }

    /** The labels of {@code labels}, sorted by name; the same instance when it already is a {@code Labels}. */
    public static Labels copyOf(Map<String, String> labels) {
        if (labels instanceof Labels own) {
            return own;
        }
        if (labels.isEmpty()) {
            return EMPTY;
        }
        Map<String, String> sorted = labels instanceof SortedMap<String, String> map && map.comparator() == null
                ? labels : new TreeMap<>(labels);
        String[] pairs = new String[sorted.size() * 2];
        int i = 0;
        for (Map.Entry<String, String> label : sorted.entrySet()) {
            pairs[i++] = intern(Objects.requireNonNull(label.getKey(), "label name"));
            pairs[i++] = intern(Objects.requireNonNull(label.getValue(), "label value"));
        }
        return new Labels(pairs);
    }

    /**
     * One shared instance of a short string. Metric names and label values repeat across series (job, instance,
     * method, code…), and each written point brings its own copies from the JSON parser.
     */
    static String intern(String text) {
        if (text.length() > INTERNED_MAX_LENGTH) {
            return text;
        }
        String shared = INTERNED.get(text);
        if (shared != null) {
            return shared;
        }
        if (INTERNED.size() >= INTERNED_MAX) {
            INTERNED.clear();
        }
        shared = INTERNED.putIfAbsent(text, text);
        return shared == null ? text : shared;
    }

    @Override
    public int size() {
        return pairs.length / 2;
    }

    @Override
    public boolean isEmpty() {
        return pairs.length == 0;
    }

    @Override
    public boolean containsKey(Object key) {
        return indexOf(key) >= 0;
    }

    @Override
    public String get(Object key) {
        int index = indexOf(key);
        return index < 0 ? null : pairs[index + 1];
    }

    /** The array index of a label's name, by binary search; negative when absent. */
    private int indexOf(Object key) {
        if (!(key instanceof String name)) {
            return -1;
        }
        int low = 0;
        int high = size() - 1;
        while (low <= high) {
            int middle = (low + high) >>> 1;
            int order = pairs[2 * middle].compareTo(name);
            if (order < 0) {
                low = middle + 1;
            } else if (order > 0) {
                high = middle - 1;
            } else {
                return 2 * middle;
            }
        }
        return -1;
    }

    @Override
    public Set<Map.Entry<String, String>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Map.Entry<String, String>> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < pairs.length;
                    }

                    @Override
                    public Map.Entry<String, String> next() {
                        if (next >= pairs.length) {
                            throw new NoSuchElementException();
                        }
                        Map.Entry<String, String> entry = new SimpleImmutableEntry<>(pairs[next], pairs[next + 1]);
                        next += 2;
                        return entry;
                    }
                };
            }

            @Override
            public int size() {
                return Labels.this.size();
            }
        };
    }

    /** Natural order of the names. */
    @Override
    public Comparator<? super String> comparator() {
        return null;
    }

    @Override
    public String firstKey() {
        if (isEmpty()) {
            throw new NoSuchElementException();
        }
        return pairs[0];
    }

    @Override
    public String lastKey() {
        if (isEmpty()) {
            throw new NoSuchElementException();
        }
        return pairs[pairs.length - 2];
    }

    // The label set never changes, so a copy of a range is as good as a view of it.

    @Override
    public SortedMap<String, String> subMap(String fromKey, String toKey) {
        return Collections.unmodifiableSortedMap(new TreeMap<>(this).subMap(fromKey, toKey));
    }

    @Override
    public SortedMap<String, String> headMap(String toKey) {
        return Collections.unmodifiableSortedMap(new TreeMap<>(this).headMap(toKey));
    }

    @Override
    public SortedMap<String, String> tailMap(String fromKey) {
        return Collections.unmodifiableSortedMap(new TreeMap<>(this).tailMap(fromKey));
    }
}
