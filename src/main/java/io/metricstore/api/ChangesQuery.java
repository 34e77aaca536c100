package io.metricstore.api;

import io.metricstore.store.FieldChecks;
import io.metricstore.store.MetricStore;
import io.metricstore.store.StoreException;
import io.metricstore.store.model.Cursor;

/** The query of {@code GET /changes}, parsed: the cursor to follow from and the page size. */
record ChangesQuery(Cursor since, int limit) {

    /** A missing cursor and a bad limit are refused together; then a cursor this service never issued. */
    static ChangesQuery parse(String since, String limit) {
        int pageSize = limit == null || limit.isEmpty() ? MetricStore.DEFAULT_CHANGES_LIMIT : integer(limit);
        FieldChecks.of()
                .require(since != null && !since.isEmpty(), "since",
                        "is required: pass the cursor of the last snapshot or delta")
                .limit(pageSize)
                .orThrow();
        return new ChangesQuery(Cursor.decode(since).orElseThrow(StoreException.MalformedCursor::new), pageSize);
    }

    /** The decimal value, or -1 for anything that is not a small non-negative integer. */
    private static int integer(String text) {
        if (text.length() > 9 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        return Integer.parseInt(text);
    }
}
