package io.metricstore.store;

import io.metricstore.store.model.RuntimeRole;
import io.metricstore.store.model.WriteSource;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A batch as the service takes it: the writer's role and source, already parsed, and the points and family
 * descriptions as the client sent them, which {@link MetricStore#write} validates all at once (so a refusal names
 * every bad point). {@code points} and {@code families} may hold nulls, which validation names.
 */
public record WriteBatch(RuntimeRole role, WriteSource source, List<RawPoint> points, Map<String, RawFamily> families) {

    public WriteBatch {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(points, "points");
        families = families == null ? Map.of() : families;
    }

    public WriteBatch(RuntimeRole role, WriteSource source, List<RawPoint> points) {
        this(role, source, points, Map.of());
    }
}
