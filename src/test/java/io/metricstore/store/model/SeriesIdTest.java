package io.metricstore.store.model;

import static io.metricstore.store.TestStore.T0;
import static io.metricstore.store.TestStore.point;
import static org.assertj.core.api.Assertions.assertThat;

import io.metricstore.store.TestStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The id of a series: the canonical Prometheus form of its name and labels, whatever order the labels came in; its
 * inverse; and the order of a snapshot. Where a test writes through the store, the store is over the memory backend.
 */
class SeriesIdTest {

    private static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");

    /** The snapshot order as the specification states it, pair by pair: the reference for the fast sort. */
    private static final Comparator<MetricPoint> SPEC_ORDER = (a, b) -> {
        int byName = a.name().compareTo(b.name());
        if (byName != 0) {
            return byName;
        }
        Iterator<Map.Entry<String, String>> left = a.labels().entrySet().iterator();
        Iterator<Map.Entry<String, String>> right = b.labels().entrySet().iterator();
        while (left.hasNext() && right.hasNext()) {
            Map.Entry<String, String> l = left.next();
            Map.Entry<String, String> r = right.next();
            int byPair = l.getKey().compareTo(r.getKey());
            if (byPair == 0) {
                byPair = l.getValue().compareTo(r.getValue());
            }
            if (byPair != 0) {
                return byPair;
            }
        }
        return Boolean.compare(left.hasNext(), right.hasNext());
    };

    private final TestStore memory = TestStore.memory();

    @Test
    void seriesIdIsTheCanonicalPrometheusForm() {
        memory.scrape(point("http_requests_total", Map.of("method", "get", "code", "200"), 1, null),
                point("weird", Map.of("path", "C:\\dir \"x\"\nnext"), 2, null),
                point("plain", 3));
        assertThat(memory.live()).containsOnlyKeys(
                "http_requests_total{code=\"200\",method=\"get\"}",
                "weird{path=\"C:\\\\dir \\\"x\\\"\\nnext\"}",
                "plain");
    }

    @Test
    void labelOrderDoesNotMakeAnotherSeries() {
        Map<String, String> ab = new LinkedHashMap<>();
        ab.put("a", "1");
        ab.put("b", "2");
        Map<String, String> ba = new LinkedHashMap<>();
        ba.put("b", "2");
        ba.put("a", "1");
        memory.scrape(point("m", ab, 1, T0.minusSeconds(1)));
        memory.scrape(point("m", ba, 2, T0));
        assertThat(memory.live()).containsOnlyKeys("m{a=\"1\",b=\"2\"}");
        assertThat(memory.valueOf("m{a=\"1\",b=\"2\"}")).isEqualTo(2);
    }

    @Test
    void parseIsTheInverseOfTheId() {
        for (Map<String, String> labels : List.of(Map.<String, String>of(), Map.of("a", "1"),
                Map.of("path", "C:\\dir \"q\"\nnext", "z", "}{,=\"", "b", "\\n"))) {
            MetricPoint point = new MetricPoint("m_total", new TreeMap<>(labels), 1.5, AT);
            MetricPoint parsed = SeriesId.parse(point.seriesId(), 1.5, AT);
            assertThat(parsed).isEqualTo(point);
        }
    }

    @Test
    void theSortKeyOrdersExactlyAsTheSpecificationSays() {
        Random random = new Random(42);
        String[] names = {"a", "a_b", "ab", "B", "a:b"};
        String[] labelNames = {"a", "ab", "b", "_x"};
        String[] values = {"", "1", "10", "2", "\u0000", "\u0001", "\u0000x", "x\u0001", "x", "é", "😀"};
        List<Series> series = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            TreeMap<String, String> labels = new TreeMap<>();
            int count = random.nextInt(4);
            for (int l = 0; l < count; l++) {
                labels.put(labelNames[random.nextInt(labelNames.length)], values[random.nextInt(values.length)]);
            }
            MetricPoint point = new MetricPoint(names[random.nextInt(names.length)], labels, i, AT);
            series.add(new Series(point.seriesId(), point, WriteSource.LEADER_SCRAPE));
        }
        List<Series> expected = new ArrayList<>(series);
        expected.sort(Comparator.comparing(Series::point, SPEC_ORDER));
        assertThat(SeriesId.sorted(series)).extracting(s -> s.point().labels().toString() + s.point().name())
                .containsExactlyElementsOf(expected.stream()
                        .map(s -> s.point().labels().toString() + s.point().name()).toList());
    }
}
