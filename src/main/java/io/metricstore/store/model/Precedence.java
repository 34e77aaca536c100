package io.metricstore.store.model;

/**
 * The precedence rule between a stored series and an incoming point, written once for every backend.
 *
 * <p>A newer {@code updatedAt} wins; an older one is stale; on an equal {@code updatedAt} the higher-ranked
 * source wins ({@code leader_scrape} over {@code worker_backfill}). With the same time and source, an identical
 * value is an unchanged replay and anything else is a correction that is applied (the last such write wins).
 * {@link #rank} folds time and source into one number so that a backend that cannot run Java (a Redis script)
 * compares exactly the same thing.
 */
public final class Precedence {

    /** What a write did to one series. */
    public enum Outcome {
        APPLIED("applied"),
        UNCHANGED("unchanged"),
        STALE("stale");

        private final String wire;

        Outcome(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }
    }

    private Precedence() {
    }

    /** Millisecond time doubled plus the source rank: below 2^53 until the year 144,000, so exact in a double. */
    public static long rank(MetricPoint point, WriteSource source) {
        return rank(point.updatedAt().toEpochMilli(), source);
    }

    private static long rank(long updatedAtMillis, WriteSource source) {
        return updatedAtMillis * 2 + source.rank();
    }

    /**
     * Decides the outcome of writing {@code incoming} over an existing series whose sample was written at
     * {@code currentMillis} by {@code currentSource} with {@code currentValue}. (A series that does not exist takes
     * every write.)
     */
    public static Outcome decide(long currentMillis, WriteSource currentSource, double currentValue,
            MetricPoint incoming, WriteSource source) {
        int byRank = Long.compare(rank(incoming, source), rank(currentMillis, currentSource));
        if (byRank < 0) {
            return Outcome.STALE;
        }
        if (byRank > 0) {
            return Outcome.APPLIED;
        }
        return Double.compare(incoming.value(), currentValue) == 0 ? Outcome.UNCHANGED : Outcome.APPLIED;
    }
}
