package io.metricstore.store.model;

import java.util.List;
import java.util.Optional;

/**
 * One page of a snapshot: live series in {@link SeriesId#ORDER}, the cursor of the walk (read before its first page's
 * series), and, when more series may follow, the sort key of the last one listed, to continue after.
 */
public record SnapshotPage(Cursor cursor, List<Series> series, Optional<String> next) {

    /** Where a later page of a walk starts: the walk's cursor and the sort key of the last series listed. */
    public record After(Cursor cursor, String key) {
    }
}
