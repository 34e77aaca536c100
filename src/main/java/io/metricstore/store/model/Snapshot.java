package io.metricstore.store.model;

import java.util.List;

/** All live series, in {@link SeriesId#ORDER}, and the cursor read before them. */
public record Snapshot(Cursor cursor, List<Series> series) {
}
