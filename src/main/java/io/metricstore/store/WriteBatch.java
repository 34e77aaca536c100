package io.metricstore.store;

import io.metricstore.store.model.RuntimeRole;
import io.metricstore.store.model.WriteSource;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A batch as the service takes it: the writer's role and source, already parsed, and the points, family descriptions
 * and the lease or lock it is written under as the client sent them, which {@link MetricStore#write} validates all at
 * once (so a refusal names every bad field). {@code points} and {@code families} may hold nulls, which validation
 * names; {@code lease} and {@code lock} are null when absent.
 */
public record WriteBatch(RuntimeRole role, WriteSource source, List<RawPoint> points, Map<String, RawFamily> families,
                         Lease lease, Lock lock) {

    /** {@code lease: {name, token}} as sent; either may be null. */
    public record Lease(String name, String token) {
    }

    /** {@code lock: {kind, key, token}} as sent; any may be null. */
    public record Lock(String kind, String key, String token) {
    }

    public WriteBatch {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(points, "points");
        families = families == null ? Map.of() : families;
    }

    public WriteBatch(RuntimeRole role, WriteSource source, List<RawPoint> points, Map<String, RawFamily> families) {
        this(role, source, points, families, null, null);
    }

    public WriteBatch(RuntimeRole role, WriteSource source, List<RawPoint> points) {
        this(role, source, points, Map.of());
    }
}
