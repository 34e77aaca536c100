package io.metricstore.api;

import io.metricstore.store.FieldChecks;
import io.metricstore.store.MetricStore;
import io.metricstore.store.StoreException;
import io.metricstore.store.model.Cursor;
import java.time.Duration;

/**
 * The query of {@code GET /changes}, parsed: the cursor to follow from, the page size and how long to wait for a
 * change (zero: answer at once).
 */
record ChangesQuery(Cursor since, int limit, Duration waitFor) {

    /**
     * A missing cursor, a bad limit and a bad wait are refused together; then a cursor this service never issued.
     * {@code wait} takes the lock TTL syntax ({@code 30s}, {@code PT30S}) and is at most {@code maxWait}.
     */
    static ChangesQuery parse(String since, String limit, String wait, Duration maxWait) {
        int pageSize = limit == null || limit.isEmpty() ? MetricStore.DEFAULT_CHANGES_LIMIT : integer(limit);
        Duration waiting = DurationText.waitFor(wait);
        DurationText.checkWait(FieldChecks.of()
                .require(since != null && !since.isEmpty(), "since",
                        "is required: pass the cursor of the last snapshot or delta")
                .limit(pageSize), waiting, maxWait)
                .orThrow();
        return new ChangesQuery(Cursor.decode(since).orElseThrow(StoreException.MalformedCursor::new), pageSize,
                waiting);
    }

    /** The decimal value, or -1 for anything that is not a small non-negative integer. */
    static int integer(String text) {
        if (text.length() > 9 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        return Integer.parseInt(text);
    }
}
