package io.metricstore.store.memory;

import java.util.Arrays;

/**
 * The memory backend's expiry index: a binary min-heap of {@code (expiresAt, series id)}. A write adds a record
 * instead of removing the series' previous one; the owner ignores records that no longer match the series (they
 * are outdated) when it polls them, and {@link #clear rebuilds} the heap when outdated records pile up. Writes stamp
 * the newest expiry, so an insert almost never sifts up: O(1) in practice, where a sorted set paid two O(log n)
 * tree walks per point.
 */
final class ExpiryQueue {

    /** Receives records. */
    @FunctionalInterface
    interface Visitor {
        void visit(long expiresAt, String id);
    }

    private long[] times = new long[1024];
    private String[] ids = new String[1024];
    private int size;

    void add(long expiresAt, String id) {
        if (size == times.length) {
            times = Arrays.copyOf(times, size * 2);
            ids = Arrays.copyOf(ids, size * 2);
        }
        int at = size++;
        while (at > 0) {
            int parent = (at - 1) >>> 1;
            if (times[parent] <= expiresAt) {
                break;
            }
            times[at] = times[parent];
            ids[at] = ids[parent];
            at = parent;
        }
        times[at] = expiresAt;
        ids[at] = id;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The earliest expiry; only when not empty. */
    long firstTime() {
        return times[0];
    }

    String firstId() {
        return ids[0];
    }

    /** Removes the earliest record. */
    void removeFirst() {
        size--;
        long time = times[size];
        String id = ids[size];
        ids[size] = null;
        int at = 0;
        while (true) {
            int child = 2 * at + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && times[child + 1] < times[child]) {
                child++;
            }
            if (time <= times[child]) {
                break;
            }
            times[at] = times[child];
            ids[at] = ids[child];
            at = child;
        }
        if (size > 0) {
            times[at] = time;
            ids[at] = id;
        }
    }

    /** Visits every record expiring at or before {@code limit}: O(those records), the heap's top. */
    void forEachDue(long limit, Visitor visitor) {
        if (size == 0 || times[0] > limit) {
            return;
        }
        int[] stack = new int[64];
        int depth = 0;
        stack[depth++] = 0;
        while (depth > 0) {
            int at = stack[--depth];
            visitor.visit(times[at], ids[at]);
            for (int child = 2 * at + 1; child <= 2 * at + 2 && child < size; child++) {
                if (times[child] <= limit) {
                    if (depth == stack.length) {
                        stack = Arrays.copyOf(stack, depth * 2);
                    }
                    stack[depth++] = child;
                }
            }
        }
    }

    /** Empties the heap, so the owner can add back the records that still matter. */
    void clear(int expected) {
        int capacity = Math.max(1024, Integer.highestOneBit(Math.max(1, expected)) * 2);
        times = new long[capacity];
        ids = new String[capacity];
        size = 0;
    }
}
