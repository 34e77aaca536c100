package io.metricstore.exposition;

import static io.metricstore.store.TestStore.T0;
import static io.metricstore.store.TestStore.point;
import static io.metricstore.store.model.RuntimeRole.LEADER;
import static io.metricstore.store.model.WriteSource.LEADER_SCRAPE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.metricstore.store.BackendUnavailableException;
import io.metricstore.store.RawFamily;
import io.metricstore.store.StoreException;
import io.metricstore.store.TestStore;
import io.metricstore.store.WriteBatch;
import io.metricstore.store.model.Cursor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import io.metricstore.store.MetricStore;
import io.metricstore.store.RawPoint;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The copy of the state that {@code /metrics} serves (SPEC §2): the text and OpenMetrics expositions, their
 * timestamps, and how the copy follows the store's changes, deletions and families, taking a new snapshot when its
 * cursor has expired. The copy reads the store only through {@link io.metricstore.store.MetricStore}, so it is
 * tested once, over the memory backend.
 */
class FollowerCacheTest {

    private final TestStore memory = TestStore.memory();

    private FollowerCache followerCache() {
        return new FollowerCache(memory.store, memory.clock, memory.config, new SimpleMeterRegistry());
    }

    /** The whole exposition, rendered in pieces as small as they come (a sample line, with its family's header). */
    private static String render(FollowerCache cache, ExpositionFormat format, boolean timestamps) {
        return String.join("", pieces(cache.rendering(format, timestamps), 1));
    }

    private static List<String> pieces(FollowerCache.Rendering rendering, int chars) {
        List<String> pieces = new ArrayList<>();
        for (String piece = rendering.next(chars); !piece.isEmpty(); piece = rendering.next(chars)) {
            pieces.add(piece);
        }
        assertThat(rendering.next(chars)).as("after the end").isEmpty();
        return pieces;
    }

    private void writeExpositionFixture() {
        Map<String, String> odd = Map.of("code", "200", "path", "/a\"b\\c\nd");
        Map<String, RawFamily> families = new LinkedHashMap<>();
        families.put("http_requests", new RawFamily("counter", "Requests \\ served\nby code"));
        families.put("latency_seconds", new RawFamily("histogram", "Latency \"quoted\""));
        families.put("rpc_duration_seconds", new RawFamily("summary", "RPC"));
        families.put("temperature", new RawFamily("gauge", "Temp"));
        memory.store.write(new WriteBatch(LEADER, LEADER_SCRAPE, List.of(
                point("http_requests_total", odd, 1027, null),
                point("http_requests_total", Map.of("code", "500"), 3, null),
                point("http_requests_created", odd, 1_700_000_000, null),
                point("latency_seconds_bucket", Map.of("le", "+Inf"), 5, null),
                point("latency_seconds_bucket", Map.of("le", "10"), 4, null),
                point("latency_seconds_bucket", Map.of("le", "0.5"), 3, null),
                point("latency_seconds_bucket", Map.of("le", "2.5"), 3.5, null),
                point("latency_seconds_sum", 12.5),
                point("latency_seconds_count", 5),
                point("latency_seconds_c", 1),
                point("rpc_duration_seconds", Map.of("quantile", "0.99"), 0.9, null),
                point("rpc_duration_seconds", Map.of("quantile", "0.5"), 0.1, null),
                point("rpc_duration_seconds_sum", 10),
                point("rpc_duration_seconds_count", 100),
                point("temperature", Double.NaN),
                point("big_value", Double.NEGATIVE_INFINITY)), families));
    }

    @Test
    void theTextExpositionGroupsFamiliesAndEscapes() {
        writeExpositionFixture();
        FollowerCache cache = followerCache();
        cache.refresh();
        assertThat(render(cache, ExpositionFormat.TEXT, false)).isEqualTo("""
                # TYPE big_value untyped
                big_value -Inf
                # HELP http_requests_total Requests \\\\ served\\nby code
                # TYPE http_requests_total counter
                http_requests_total{code="200",path="/a\\"b\\\\c\\nd"} 1027
                http_requests_total{code="500"} 3
                # HELP latency_seconds Latency "quoted"
                # TYPE latency_seconds histogram
                latency_seconds_bucket{le="0.5"} 3
                latency_seconds_bucket{le="2.5"} 3.5
                latency_seconds_bucket{le="10"} 4
                latency_seconds_bucket{le="+Inf"} 5
                latency_seconds_count 5
                latency_seconds_sum 12.5
                # TYPE latency_seconds_c untyped
                latency_seconds_c 1
                # HELP rpc_duration_seconds RPC
                # TYPE rpc_duration_seconds summary
                rpc_duration_seconds{quantile="0.5"} 0.1
                rpc_duration_seconds{quantile="0.99"} 0.9
                rpc_duration_seconds_count 100
                rpc_duration_seconds_sum 10
                # HELP temperature Temp
                # TYPE temperature gauge
                temperature NaN
                """);
    }

    /** A scrape is written a piece at a time: whole lines, each piece but the last at least the size asked for. */
    @Test
    void piecesOfAnySizeMakeTheSameExposition() {
        writeExpositionFixture();
        FollowerCache cache = followerCache();
        cache.refresh();
        String whole = String.join("", pieces(cache.rendering(ExpositionFormat.OPENMETRICS, true), 1 << 16));
        assertThat(whole).endsWith("# EOF\n").contains("http_requests_total{code=\"500\"} 3 ");
        for (int chars : new int[] {1, 40, 200}) {
            List<String> pieces = pieces(cache.rendering(ExpositionFormat.OPENMETRICS, true), chars);
            assertThat(String.join("", pieces)).as("pieces of %d", chars).isEqualTo(whole);
            assertThat(pieces).allMatch(piece -> piece.endsWith("\n"));
            assertThat(pieces.subList(0, pieces.size() - 1)).allMatch(piece -> piece.length() >= chars);
        }
    }

    @Test
    void theOpenMetricsExpositionNamesCountersWithoutTotalAndEndsWithEof() {
        writeExpositionFixture();
        FollowerCache cache = followerCache();
        cache.refresh();
        assertThat(render(cache, ExpositionFormat.OPENMETRICS, false)).isEqualTo("""
                # TYPE big_value unknown
                big_value -Inf
                # HELP http_requests Requests \\\\ served\\nby code
                # TYPE http_requests counter
                http_requests_total{code="200",path="/a\\"b\\\\c\\nd"} 1027
                http_requests_created{code="200",path="/a\\"b\\\\c\\nd"} 1700000000
                http_requests_total{code="500"} 3
                # HELP latency_seconds Latency \\"quoted\\"
                # TYPE latency_seconds histogram
                latency_seconds_bucket{le="0.5"} 3
                latency_seconds_bucket{le="2.5"} 3.5
                latency_seconds_bucket{le="10"} 4
                latency_seconds_bucket{le="+Inf"} 5
                latency_seconds_count 5
                latency_seconds_sum 12.5
                # TYPE latency_seconds_c unknown
                latency_seconds_c 1
                # HELP rpc_duration_seconds RPC
                # TYPE rpc_duration_seconds summary
                rpc_duration_seconds{quantile="0.5"} 0.1
                rpc_duration_seconds{quantile="0.99"} 0.9
                rpc_duration_seconds_count 100
                rpc_duration_seconds_sum 10
                # HELP temperature Temp
                # TYPE temperature gauge
                temperature NaN
                # EOF
                """);
    }

    @Test
    void aSampleNamedLikeACounterOrHistogramFamilyIsLeftOut() {
        memory.store.write(new WriteBatch(LEADER, LEADER_SCRAPE, List.of(point("jobs_total", 4), point("jobs", 9),
                        point("sizes_bucket", Map.of("le", "+Inf"), 1, null), point("sizes", 2)),
                Map.of("jobs", new RawFamily("counter", "Jobs"), "sizes", new RawFamily("histogram", "Sizes"))));
        FollowerCache cache = followerCache();
        assertThatThrownBy(() -> render(cache, ExpositionFormat.TEXT, false))
                .isInstanceOfSatisfying(BackendUnavailableException.class, notYet ->
                        assertThat(notYet.retryAfter()).as("one refresh").isEqualTo(Duration.ofSeconds(1)));
        cache.refresh();
        assertThat(cache.size()).isEqualTo(4);
        assertThat(render(cache, ExpositionFormat.TEXT, false)).isEqualTo("""
                # HELP jobs_total Jobs
                # TYPE jobs_total counter
                jobs_total 4
                # HELP sizes Sizes
                # TYPE sizes histogram
                sizes_bucket{le="+Inf"} 1
                """);
        memory.store.write(new WriteBatch(LEADER, LEADER_SCRAPE, List.of(),
                Map.of("jobs", new RawFamily("gauge", "Jobs now"))));
        cache.refresh();
        assertThat(render(cache, ExpositionFormat.OPENMETRICS, false)).startsWith("""
                # HELP jobs Jobs now
                # TYPE jobs gauge
                jobs 9
                # TYPE jobs_total unknown
                jobs_total 4
                """);
    }

    @Test
    void timestampsAreMillisecondsInTextAndSecondsInOpenMetrics() {
        memory.scrape(point("stamped", 1, T0.minusMillis(1500)));
        FollowerCache cache = followerCache();
        cache.refresh();
        long millis = T0.minusMillis(1500).toEpochMilli();
        assertThat(render(cache, ExpositionFormat.TEXT, true)).endsWith("stamped 1 " + millis + "\n");
        assertThat(render(cache, ExpositionFormat.OPENMETRICS, true))
                .endsWith("stamped 1 " + (millis / 1000) + "." + String.format("%03d", millis % 1000) + "\n# EOF\n");
        assertThat(render(cache, ExpositionFormat.TEXT, false)).endsWith("stamped 1\n");
    }

    @Test
    void theCopyFollowsChangesDeletionsAndFamilies() {
        FollowerCache cache = followerCache();
        assertThat(cache.fresh()).isFalse();
        cache.refresh();
        assertThat(cache.fresh()).isTrue();
        assertThat(render(cache, ExpositionFormat.OPENMETRICS, false)).isEqualTo("# EOF\n");
        memory.scrape(point("a", 1), point("b", 2));
        assertThat(cache.size()).isZero();
        cache.refresh();
        assertThat(render(cache, ExpositionFormat.TEXT, false))
                .isEqualTo("# TYPE a untyped\na 1\n# TYPE b untyped\nb 2\n");
        memory.clock.advance(Duration.ofMinutes(40));
        memory.scrape(point("b", 3));
        memory.store.write(new WriteBatch(LEADER, LEADER_SCRAPE, List.of(), Map.of("b", new RawFamily("gauge", "B"))));
        memory.clock.advance(Duration.ofMinutes(20));
        assertThat(render(cache, ExpositionFormat.TEXT, false)).as("the copy's points expired; not yet refreshed")
                .isEmpty();
        memory.store.gc();
        cache.refresh();
        assertThat(cache.size()).isEqualTo(1);
        assertThat(render(cache, ExpositionFormat.TEXT, false)).isEqualTo("# HELP b B\n# TYPE b gauge\nb 3\n");
        memory.clock.advance(Duration.ofSeconds(30));
        assertThat(cache.fresh()).as("refreshed three bookmark intervals ago").isTrue();
        memory.clock.advance(Duration.ofMillis(1));
        assertThat(cache.fresh()).as("not refreshed for three bookmark intervals").isFalse();
    }

    @Test
    void anExpiredCursorMakesTheCopyTakeANewSnapshot() {
        FollowerCache cache = followerCache();
        memory.scrape(point("gone", 1), point("kept", 1, T0.plusSeconds(30)));
        cache.refresh();
        memory.clock.advance(Duration.ofHours(1));
        memory.scrape(point("fresh", 1));
        memory.store.gc();
        memory.clock.advance(Duration.ofMinutes(11));
        memory.store.gc();
        assertThatThrownBy(() -> memory.changesSince(new Cursor(memory.store.cursor().epoch(), 0)))
                .isInstanceOf(StoreException.CursorExpired.class);
        cache.refresh();
        assertThat(render(cache, ExpositionFormat.TEXT, false)).isEqualTo("# TYPE fresh untyped\nfresh 1\n");
    }

    @Test
    void theCopyFollowsTheStoresSignalsWithoutPolling() {
        FollowerCache cache = new FollowerCache(memory.store, memory.clock, memory.config, new SimpleMeterRegistry(),
                Runnable::run);
        cache.follow();
        assertThat(cache.fresh()).as("caught up once when it starts following").isTrue();
        memory.scrape(point("signalled", 1));
        assertThat(render(cache, ExpositionFormat.TEXT, false)).isEqualTo("# TYPE signalled untyped\nsignalled 1\n");
        memory.store.write(new WriteBatch(LEADER, LEADER_SCRAPE, List.of(),
                Map.of("signalled", new RawFamily("gauge", "Only a description"))));
        assertThat(render(cache, ExpositionFormat.TEXT, false))
                .as("a write of only a family description signals too")
                .isEqualTo("# HELP signalled Only a description\n# TYPE signalled gauge\nsignalled 1\n");
        memory.clock.advance(Duration.ofHours(1));
        memory.store.gc();
        assertThat(cache.size()).as("the GC's deletion signals").isZero();
    }

    /**
     * A catch-up reads pages for at most {@code store.exposition.refresh} (here, each reading of the clock is a
     * refresh interval later, so one page): it then ends not caught up, and the next one goes on from there.
     */
    @Test
    void aCatchUpEndsAfterOneRefreshIntervalOfPagesAndTheNextGoesOn() {
        TestStore memory = TestStore.memory("store.max-series", "30000", "store.max-batch", "10000");
        Duration interval = memory.config.exposition().refresh();
        Clock ticking = new Clock() {
            private int readings;

            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return memory.clock.instant().plus(interval.multipliedBy(readings++));
            }
        };
        FollowerCache cache = new FollowerCache(memory.store, ticking, memory.config, new SimpleMeterRegistry());
        assertThat(cache.refresh()).as("the first snapshot").isTrue();
        RawPoint[] points = new RawPoint[MetricStore.MAX_CHANGES_LIMIT * 2 + 1];
        for (int i = 0; i < points.length; i++) {
            points[i] = point("many", Map.of("i", Integer.toString(i)), 1, T0);
        }
        for (int from = 0; from < points.length; from += memory.config.maxBatch()) {
            memory.scrape(Arrays.copyOfRange(points, from, Math.min(points.length, from + memory.config.maxBatch())));
        }
        assertThat(cache.refresh()).as("one page, then the interval is over").isFalse();
        assertThat(cache.size()).isEqualTo(MetricStore.MAX_CHANGES_LIMIT);
        assertThat(cache.refresh()).isFalse();
        assertThat(cache.size()).isEqualTo(2 * MetricStore.MAX_CHANGES_LIMIT);
        assertThat(cache.refresh()).as("the last page").isTrue();
        assertThat(cache.size()).isEqualTo(points.length);
    }
}
