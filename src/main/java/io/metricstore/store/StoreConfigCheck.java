package io.metricstore.store;

import io.quarkus.runtime.configuration.ConfigurationException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Refuses configuration that cannot work, naming each offending property, before the store serves anything. */
public final class StoreConfigCheck {

    private static final Duration MAX_BOOKMARK_INTERVAL = Duration.ofSeconds(10);

    private StoreConfigCheck() {
    }

    /**
     * Throws a {@link ConfigurationException} listing every bad property; Quarkus prints its message alone, without a
     * stack trace, when it stops start-up.
     */
    public static void check(StoreConfig config) {
        List<String> problems = new ArrayList<>();
        positive(problems, "store.retention", config.retention());
        positive(problems, "store.gc.interval", config.gc().interval());
        positive(problems, "store.changes.tombstone-retention", config.changes().tombstoneRetention());
        positive(problems, "store.changes.max-wait", config.changes().maxWait());
        positive(problems, "store.changes.bookmark-interval", config.changes().bookmarkInterval());
        if (config.changes().bookmarkInterval().compareTo(MAX_BOOKMARK_INTERVAL) > 0) {
            problems.add("store.changes.bookmark-interval must be at most 10s (a stream sends a bookmark at least "
                    + "every 10 s), got " + config.changes().bookmarkInterval());
        }
        atLeastOne(problems, "store.changes.max-waiters", config.changes().maxWaiters());
        positive(problems, "store.locks.max-ttl", config.locks().maxTtl());
        positive(problems, "store.exposition.refresh", config.exposition().refresh());
        positive(problems, "store.max-replica-skew", config.maxReplicaSkew());
        positive(problems, "store.redis.min-replicas-ack-timeout", config.redis().minReplicasAckTimeout());
        if (config.redis().minReplicasAck() < 0) {
            problems.add("store.redis.min-replicas-ack must not be negative, got " + config.redis().minReplicasAck());
        }
        if (config.maxClockSkew().isNegative()) {
            problems.add("store.max-clock-skew must not be negative, got " + config.maxClockSkew());
        }
        atLeastOne(problems, "store.max-series", config.maxSeries());
        atLeastOne(problems, "store.max-batch", config.maxBatch());
        atLeastOne(problems, "store.limits.max-families", config.limits().maxFamilies());
        atLeastOne(problems, "store.limits.max-concurrent-reads", config.limits().maxConcurrentReads());
        positive(problems, "store.limits.write-timeout", config.limits().writeTimeout());
        atLeastOne(problems, "store.limits.series-page-size", config.limits().seriesPageSize());
        atLeastOne(problems, "store.limits.max-series-page-size", config.limits().maxSeriesPageSize());
        if (config.limits().seriesPageSize() > config.limits().maxSeriesPageSize()) {
            problems.add("store.limits.series-page-size (" + config.limits().seriesPageSize() + ") must not exceed "
                    + "store.limits.max-series-page-size (" + config.limits().maxSeriesPageSize() + ")");
        }
        atLeastOne(problems, "store.limits.max-name-length", config.limits().maxNameLength());
        atLeastOne(problems, "store.limits.max-label-name-length", config.limits().maxLabelNameLength());
        atLeastOne(problems, "store.limits.max-label-value-length", config.limits().maxLabelValueLength());
        atLeastOne(problems, "store.limits.max-help-length", config.limits().maxHelpLength());
        atLeastOne(problems, "store.limits.max-series-bytes", config.limits().maxSeriesBytes());
        atLeastOne(problems, "store.limits.max-errors", config.limits().maxErrors());
        if (config.limits().maxLabels() < 0) {
            problems.add("store.limits.max-labels must not be negative, got " + config.limits().maxLabels());
        }
        if (!config.namespace().matches("[A-Za-z0-9_.\\-]{1,64}")) {
            problems.add("store.namespace must be 1-64 characters of letters, digits, '_', '.' or '-', got '"
                    + config.namespace() + "'");
        }
        if (!problems.isEmpty()) {
            throw new ConfigurationException("Invalid configuration: " + String.join("; ", problems));
        }
    }

    private static void positive(List<String> problems, String property, Duration value) {
        if (value.isZero() || value.isNegative()) {
            problems.add(property + " must be a positive duration, got " + value);
        } else if (value.toMillis() == 0) {
            problems.add(property + " must be at least 1ms, got " + value);
        }
    }

    private static void atLeastOne(List<String> problems, String property, int value) {
        if (value < 1) {
            problems.add(property + " must be at least 1, got " + value);
        }
    }
}
