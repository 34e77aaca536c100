package io.metricstore.api;

import static io.metricstore.store.TestStore.number;
import static io.metricstore.store.TestStore.validationErrors;
import static org.assertj.core.api.Assertions.assertThat;

import io.metricstore.store.WriteBatch;
import io.metricstore.store.model.FieldError;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A write request as {@code POST /points} receives it, turned into the service's batch: role and source are parsed
 * at the edge, and an unknown one, like missing points, is a validation error naming the field.
 */
class WriteRequestTest {

    private static PointsResource.PointBody point(String name, double value) {
        return new PointsResource.PointBody(name, Map.of(), number(value), null);
    }

    /** What {@code POST /points} hands the service for a body with these fields and no families. */
    private static WriteBatch batch(String role, String source, List<PointsResource.PointBody> points) {
        return new PointsResource.WriteRequest(role, source, points, null, null, null).toBatch();
    }

    @Test
    void unknownRoleOrSourceIsAValidationError() {
        assertThat(validationErrors(() -> batch("boss", "scrape", List.of(point("up", 1)))))
                .extracting(FieldError::field).containsExactly("role", "source");
        assertThat(validationErrors(() -> batch("Leader", "leader_scrape", List.of())))
                .extracting(FieldError::field).containsExactly("role");
        assertThat(validationErrors(() -> batch("leader", "leader_scrape", null)))
                .extracting(FieldError::field).containsExactly("points");
    }

    @Test
    void theRefusalListsTheAllowedValues() {
        assertThat(validationErrors(() -> batch("boss", "scrape", List.of(point("up", 1)))))
                .extracting(FieldError::message).containsExactly(
                        "must be one of \"leader\", \"follower\"",
                        "must be one of \"leader_scrape\", \"worker_backfill\"");
    }
}
