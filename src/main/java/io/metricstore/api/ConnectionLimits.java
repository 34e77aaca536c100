package io.metricstore.api;

import io.metricstore.store.StoreConfig;
import io.quarkus.runtime.Startup;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.eclipse.microprofile.config.Config;

/**
 * The HTTP server's connection limits (SPEC §6) against the watch's: an idle connection is closed after
 * {@code quarkus.http.idle-timeout}, which must outlast the longest long-poll ({@code store.changes.max-wait}; streams
 * send a bookmark at least every 10 s), and {@code quarkus.http.limits.max-connections} must leave room above
 * {@code store.changes.max-waiters} for the requests that do not wait; and a request line must hold a page token of
 * {@code GET /series}. Checked at start-up, naming the properties.
 */
@Startup
@Singleton
public class ConnectionLimits {

    public ConnectionLimits(StoreConfig store, Config settings) {
        check(settings.getOptionalValue("quarkus.http.idle-timeout", Duration.class).orElse(Duration.ofMinutes(30)),
                settings.getOptionalValue("quarkus.http.limits.max-connections", Integer.class)
                        .map(OptionalInt::of).orElse(OptionalInt.empty()),
                store.changes());
        checkLineLength(settings.getOptionalValue("quarkus.http.limits.max-initial-line-length", Integer.class)
                .orElse(DEFAULT_LINE_LENGTH), store.limits());
    }

    /** Vert.x' own default for {@code quarkus.http.limits.max-initial-line-length}. */
    private static final int DEFAULT_LINE_LENGTH = 4096;

    /**
     * A request line must hold the longest page token of {@code GET /series} (it carries a sort key: up to
     * {@code store.limits.max-series-bytes}, doubled where values hold U+0000 or U+0001), or a walk past the largest
     * series would end in 414.
     */
    static void checkLineLength(int maxLineLength, StoreConfig.Limits limits) {
        int needed = PageToken.longest(limits.maxSeriesBytes(), limits.maxLabels(), limits.maxNameLength()) + 64;
        if (maxLineLength < needed) {
            throw new ConfigurationException("quarkus.http.limits.max-initial-line-length (" + maxLineLength + ") must "
                    + "be at least " + needed + " for store.limits.max-series-bytes (" + limits.maxSeriesBytes()
                    + "), or the page token after the largest series would not fit in a request line");
        }
    }

    static void check(Duration idleTimeout, OptionalInt maxConnections, StoreConfig.Changes changes) {
        List<String> problems = new ArrayList<>();
        if (idleTimeout.compareTo(changes.maxWait()) <= 0) {
            problems.add("quarkus.http.idle-timeout (" + idleTimeout + ") must be longer than store.changes.max-wait ("
                    + changes.maxWait() + "), or idle long-polls would be cut off before they answer");
        }
        if (maxConnections.isPresent() && maxConnections.getAsInt() <= changes.maxWaiters()) {
            problems.add("quarkus.http.limits.max-connections (" + maxConnections.getAsInt() + ") must be above "
                    + "store.changes.max-waiters (" + changes.maxWaiters() + "), or waiting clients could take every "
                    + "connection");
        }
        if (!problems.isEmpty()) {
            throw new ConfigurationException(String.join("; ", problems));
        }
    }
}
