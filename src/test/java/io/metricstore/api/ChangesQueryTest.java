package io.metricstore.api;

import static io.metricstore.store.TestStore.validationErrors;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.metricstore.store.MetricStore;
import io.metricstore.store.StoreException;
import io.metricstore.store.TestStore;
import io.metricstore.store.model.Cursor;
import io.metricstore.store.model.Delta;
import io.metricstore.store.model.FieldError;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * The query of {@code GET /changes} as the edge parses it before the service sees it: a missing cursor or a bad page
 * size is a validation error naming the field, a cursor this service never issued is malformed. The store the
 * parsed query is then run against is over the memory backend.
 */
class ChangesQueryTest {

    private static final Duration MAX_WAIT = Duration.ofSeconds(30);

    private final TestStore memory = TestStore.memory();

    /** What {@code GET /changes?since=…&limit=…} does. */
    private Delta changes(String since, String limit) {
        ChangesQuery query = ChangesQuery.parse(since, limit, null, MAX_WAIT);
        return memory.store.changes(query.since(), query.limit());
    }

    @Test
    void malformedCursorsAndLimitsAreRefused() {
        for (String bad : new String[] {"", "abc", "!!!", "x".repeat(200), Base64.getUrlEncoder()
                .encodeToString("epoch:-1".getBytes()), Base64.getUrlEncoder().encodeToString("nocolon".getBytes())}) {
            assertThatThrownBy(() -> changes(bad, null)).as(bad)
                    .isInstanceOfAny(StoreException.MalformedCursor.class, StoreException.Validation.class);
        }
        String cursor = memory.store.cursor().encode();
        for (String bad : new String[] {"0", "-1", "10001", "abc", "1.5", "99999999999"}) {
            assertThat(validationErrors(() -> changes(cursor, bad))).as(bad)
                    .extracting(FieldError::field).containsExactly("limit");
        }
        assertThat(validationErrors(() -> changes(null, null))).extracting(FieldError::field)
                .containsExactly("since");
        assertThat(changes(cursor, "10000").events()).isEmpty();
        // The default page size, and the service's own check of a page size, for callers other than the edge.
        assertThat(ChangesQuery.parse(cursor, null, null, MAX_WAIT).limit()).isEqualTo(MetricStore.DEFAULT_CHANGES_LIMIT);
        Cursor since = memory.store.cursor();
        for (int bad : new int[] {0, -1, MetricStore.MAX_CHANGES_LIMIT + 1}) {
            assertThat(validationErrors(() -> memory.store.changes(since, bad))).as("%d", bad)
                    .extracting(FieldError::field).containsExactly("limit");
        }
    }

    @Test
    void aWaitTakesTheLockTtlSyntaxUpToTheMaximum() {
        String cursor = memory.store.cursor().encode();
        assertThat(ChangesQuery.parse(cursor, null, "30s", MAX_WAIT).waitFor()).isEqualTo(MAX_WAIT);
        assertThat(ChangesQuery.parse(cursor, null, "PT1.5S", MAX_WAIT).waitFor()).isEqualTo(Duration.ofMillis(1500));
        assertThat(ChangesQuery.parse(cursor, null, "", MAX_WAIT).waitFor()).isZero();
        assertThat(ChangesQuery.parse(cursor, null, "0s", MAX_WAIT).waitFor()).isZero();
        for (String bad : new String[] {"31s", "1m", "PT-1S", "soon", "10", "-5s"}) {
            assertThat(validationErrors(() -> ChangesQuery.parse(cursor, null, bad, MAX_WAIT))).as(bad)
                    .extracting(FieldError::field).containsExactly("wait");
        }
        assertThat(validationErrors(() -> ChangesQuery.parse(null, "0", "1h", MAX_WAIT)))
                .extracting(FieldError::field).containsExactly("since", "limit", "wait");
    }
}
