package io.metricstore.store.model;

import static io.metricstore.store.TestStore.T0;
import static io.metricstore.store.TestStore.point;
import static org.assertj.core.api.Assertions.assertThat;

import io.metricstore.store.TestStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
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

    /** Code point order, the slow and obvious way: the order of UTF-8 bytes, as Redis compares. */
    private static final Comparator<String> CODE_POINTS = (a, b) -> {
        int[] x = a.codePoints().toArray();
        int[] y = b.codePoints().toArray();
        return Arrays.compare(x, y);
    };

    /** The snapshot order as the specification states it, pair by pair: the reference for the fast sort. */
    private static final Comparator<MetricPoint> SPEC_ORDER = (a, b) -> {
        int byName = CODE_POINTS.compare(a.name(), b.name());
        if (byName != 0) {
            return byName;
        }
        Iterator<Map.Entry<String, String>> left = a.labels().entrySet().iterator();
        Iterator<Map.Entry<String, String>> right = b.labels().entrySet().iterator();
        while (left.hasNext() && right.hasNext()) {
            Map.Entry<String, String> l = left.next();
            Map.Entry<String, String> r = right.next();
            int byPair = CODE_POINTS.compare(l.getKey(), r.getKey());
            if (byPair == 0) {
                byPair = CODE_POINTS.compare(l.getValue(), r.getValue());
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
        String[] values = {"", "1", "10", "2", "\u0000", "\u0001", "\u0000x", "x\u0001", "x", "é", "😀", "\uE000", "\uFFFD",
            "x\uD83D\uDE00", "x\uFFFF"};
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

    @Test
    void theOrderIsCodePointOrderAsRedisComparesBytes() {
        Random random = new Random(7);
        char[] alphabet = {'\u0000', '\u0001', 'a', 'z', '\u00e9', '\uD7FF', '\uE000', '\uFFFD', '\uFFFF'};
        for (int i = 0; i < 20_000; i++) {
            String a = randomText(random, alphabet);
            String b = randomText(random, alphabet);
            assertThat(Integer.signum(SeriesId.ORDER.compare(a, b))).as("%s vs %s", a, b)
                    .isEqualTo(Integer.signum(CODE_POINTS.compare(a, b)))
                    .isEqualTo(Integer.signum(Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8),
                            b.getBytes(StandardCharsets.UTF_8))));
        }
        // Where String.compareTo disagrees: a character above U+FFFF sorts after U+E000..U+FFFF.
        assertThat(SeriesId.ORDER.compare("\uD83D\uDE00", "\uFFFF")).isPositive();
        assertThat("\uD83D\uDE00".compareTo("\uFFFF")).isNegative();
    }

    /** A few characters from {@code alphabet}, a character above U+FFFF (a surrogate pair) now and then. */
    private static String randomText(Random random, char[] alphabet) {
        StringBuilder text = new StringBuilder();
        for (int n = random.nextInt(5); n > 0; n--) {
            if (random.nextInt(6) == 0) {
                text.appendCodePoint(0x1F600 + random.nextInt(3));
            } else {
                text.append(alphabet[random.nextInt(alphabet.length)]);
            }
        }
        return text.toString();
    }

    @Test
    void identitiesCompareAsTheirSortKeys() {
        Random random = new Random(11);
        String[] names = {"a", "a_b", "ab"};
        String[] labelNames = {"a", "ab", "b"};
        String[] values = {"1", "10", "\u0000", "\u0001", "\u0000x", "x\u0001", "\uE000", "\uD83D\uDE00"};
        List<SeriesId.Parts> parts = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            TreeMap<String, String> labels = new TreeMap<>();
            for (int l = random.nextInt(3); l > 0; l--) {
                labels.put(labelNames[random.nextInt(labelNames.length)], values[random.nextInt(values.length)]);
            }
            parts.add(new SeriesId.Parts(names[random.nextInt(names.length)], labels));
        }
        for (SeriesId.Parts a : parts) {
            for (SeriesId.Parts b : parts) {
                assertThat(Integer.signum(SeriesId.compare(a.name(), a.labels(), b.name(), b.labels())))
                        .isEqualTo(Integer.signum(SeriesId.ORDER.compare(SeriesId.sortKey(a.name(), a.labels()),
                                SeriesId.sortKey(b.name(), b.labels()))));
            }
        }
    }

    @Test
    void parseSortKeyIsTheInverseOfTheSortKey() {
        for (Map<String, String> labels : List.of(Map.<String, String>of(), Map.of("a", "1"),
                Map.of("path", "C:\\dir \"q\"\nnext", "z", "\u0000\u0001x\u0001", "b", "\uD83D\uDE00"))) {
            TreeMap<String, String> sorted = new TreeMap<>(labels);
            String key = SeriesId.sortKey("m_total", sorted);
            assertThat(SeriesId.parseSortKey(key)).contains(new SeriesId.Parts("m_total", sorted));
            assertThat(SeriesId.sortKey(SeriesId.of("m_total", sorted))).isEqualTo(key);
        }
    }

    @Test
    void parseSortKeyRefusesWhatNoSeriesHas() {
        for (String bad : List.of("", "m", "\u0000", "m\u0000a", "m\u0000a\u0000x", "m\u0000b\u0000x\u0000a\u0000y\u0000",
                "m\u0000a\u0000\u0001\u0003\u0000", "m\u0000a\u0000x\u0001")) {
            assertThat(SeriesId.parseSortKey(bad)).as(bad).isEmpty();
        }
    }
}
