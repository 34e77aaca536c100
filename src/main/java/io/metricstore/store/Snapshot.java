package io.metricstore.store;

import java.util.List;

/** All live series, in {@link SeriesId#ORDER}, and the cursor read before them. */
public record Snapshot(Cursor cursor, List<Series> series) {
}
