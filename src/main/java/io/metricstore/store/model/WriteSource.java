package io.metricstore.store.model;

import java.util.Optional;

/** Where a written point comes from; its rank breaks ties between writes with the same timestamp. */
public enum WriteSource implements WireName {
    LEADER_SCRAPE("leader_scrape", 1),
    WORKER_BACKFILL("worker_backfill", 0);

    private final String wire;
    private final int rank;

    WriteSource(String wire, int rank) {
        this.wire = wire;
        this.rank = rank;
    }

    @Override
    public String wire() {
        return wire;
    }

    /** Higher wins on an equal {@code updatedAt}: a scrape beats a backfill. */
    public int rank() {
        return rank;
    }

    public static Optional<WriteSource> parse(String text) {
        return WireName.parse(values(), text);
    }
}
