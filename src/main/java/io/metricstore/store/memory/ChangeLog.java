package io.metricstore.store.memory;

import java.util.Arrays;

/**
 * The memory backend's change feed: {@code (sequence, owner)} records in sequence order, one appended per change,
 * where the owner is the series' entry or its tombstone. A record is current while its owner's sequence is the
 * record's; an owner that is replaced or removed sets its sequence to {@link Owner#GONE}. Readers skip the other
 * records and {@link #compact} drops them. Appending instead of moving a series in a sorted map keeps a write O(1)
 * and cache-friendly, and deciding currency by a field of the owner, not by looking the id up in the series map,
 * keeps compaction and deltas free of hash lookups.
 */
final class ChangeLog {

    /** What a record points at: a series entry or a tombstone. */
    abstract static class Owner {
        /** The sequence of an owner no longer in the store (replaced, deleted or trimmed). */
        static final long GONE = -1;

        final String id;
        /** The sequence of the owner's latest change; only changed under the store's write lock. */
        long sequence;

        Owner(String id) {
            this.id = id;
        }
    }

    private long[] sequences = new long[1024];
    private Owner[] owners = new Owner[1024];
    private int size;

    void append(long sequence, Owner owner) {
        if (size == sequences.length) {
            sequences = Arrays.copyOf(sequences, size * 2);
            owners = Arrays.copyOf(owners, size * 2);
        }
        sequences[size] = sequence;
        owners[size++] = owner;
    }

    int size() {
        return size;
    }

    long sequence(int index) {
        return sequences[index];
    }

    Owner owner(int index) {
        return owners[index];
    }

    /** Whether record {@code index} is its owner's latest change. */
    boolean current(int index) {
        return owners[index].sequence == sequences[index];
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
    void compact() {
        int kept = 0;
        for (int i = 0; i < size; i++) {
            if (current(i)) {
                sequences[kept] = sequences[i];
                owners[kept++] = owners[i];
            }
        }
        int capacity = Math.max(1024, Integer.highestOneBit(Math.max(1, kept)) * 2);
        sequences = Arrays.copyOf(sequences, capacity);
        owners = Arrays.copyOf(owners, capacity);
        size = kept;
    }
}
