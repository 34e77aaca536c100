package io.metricstore.store;

import java.util.Arrays;

/**
 * The memory backend's change feed: {@code (sequence, series id)} records in sequence order, one appended per
 * change. A record is current while it is its series' latest change; the owner decides which are, skips the others
 * when reading and drops them by {@link #retain compaction}. Appending instead of moving a series' entry in a sorted
 * map keeps a write O(1) and cache-friendly, which is what made ingest flat from 10k to 100k series.
 */
final class ChangeLog {

    /** Whether a record is its series' latest change. */
    @FunctionalInterface
    interface Current {
        boolean test(long sequence, String id);
    }

    private long[] sequences = new long[1024];
    private String[] ids = new String[1024];
    private int size;

    void append(long sequence, String id) {
        if (size == sequences.length) {
            sequences = Arrays.copyOf(sequences, size * 2);
            ids = Arrays.copyOf(ids, size * 2);
        }
        sequences[size] = sequence;
        ids[size++] = id;
    }

    int size() {
        return size;
    }

    long sequence(int index) {
        return sequences[index];
    }

    String id(int index) {
        return ids[index];
    }

    /** The index of the first record whose sequence is above {@code sequence} ({@link #size()} if none). */
    int firstAfter(long sequence) {
        int low = 0;
        int high = size;
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (sequences[middle] <= sequence) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        return low;
    }

    /** Keeps the current records, in order, and releases the space of the others. */
    void retain(Current current) {
        int kept = 0;
        for (int i = 0; i < size; i++) {
            if (current.test(sequences[i], ids[i])) {
                sequences[kept] = sequences[i];
                ids[kept++] = ids[i];
            }
        }
        int capacity = Math.max(1024, Integer.highestOneBit(Math.max(1, kept)) * 2);
        sequences = Arrays.copyOf(sequences, capacity);
        ids = Arrays.copyOf(ids, capacity);
        size = kept;
    }
}
