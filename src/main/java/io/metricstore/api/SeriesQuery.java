package io.metricstore.api;

import io.metricstore.store.StoreException;
import java.util.Optional;

/**
 * The query of a page of {@code GET /series}, parsed: the metric name filter (the walk's, for a later page), the page
 * size and where the page starts (empty: the walk's first page). The range of {@code limit} is checked by the store.
 */
record SeriesQuery(Optional<String> name, int limit, Optional<PageToken> from) {

    /** A token from {@code page} keeps its walk's filter: another {@code name} beside it is refused. */
    static SeriesQuery parse(Optional<String> name, Optional<String> limit, Optional<String> page, int defaultLimit) {
        int size = limit.map(ChangesQuery::integer).orElse(defaultLimit);
        Optional<PageToken> from = page.map(PageToken::decode);
        Optional<String> walked = from.isPresent() ? from.get().name() : name;
        if (from.isPresent() && name.isPresent() && !name.equals(walked)) {
            throw new StoreException.Validation("name", "must be the walk's name ("
                    + walked.map(filter -> "'" + filter + "'").orElse("none") + ") or left out: the page token carries "
                    + "the walk's filter");
        }
        return new SeriesQuery(walked, size, from);
    }
}
