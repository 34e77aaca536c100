package io.metricstore.bench.load;

import java.util.Arrays;

/** Measured values of one figure: median and percentiles by the nearest-rank method. */
final class Samples {

    private double[] values = new double[64];
    private int size;

    synchronized void add(double value) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = value;
    }

    synchronized void addAll(Samples other) {
        for (int i = 0; i < other.size; i++) {
            add(other.values[i]);
        }
    }

    synchronized int size() {
        return size;
    }

    double median() {
        return percentile(50);
    }

    synchronized double percentile(double p) {
        if (size == 0) {
            return Double.NaN;
        }
        double[] sorted = Arrays.copyOf(values, size);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * size);
        return sorted[Math.max(0, Math.min(size - 1, rank - 1))];
    }

    double min() {
        return percentile(0);
    }

    double max() {
        return percentile(100);
    }
}
