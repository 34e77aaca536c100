package io.metricstore.store;

import static io.metricstore.store.TestStore.T0;
import static io.metricstore.store.TestStore.number;
import static io.metricstore.store.TestStore.point;
import static io.metricstore.store.TestStore.string;
import static io.metricstore.store.TestStore.validationErrors;
import static io.metricstore.store.model.RuntimeRole.LEADER;
import static io.metricstore.store.model.WriteSource.LEADER_SCRAPE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.metricstore.store.model.Cursor;
import io.metricstore.store.model.FieldError;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The input rules of a write (SPEC §2), which {@link MetricStore#write} applies with {@link PointValidator} before
 * any backend sees the batch, so they hold alike on every backend and are tested once: names, labels, values and
 * {@code updatedAt} of points, family descriptions, and a batch refused whole, naming every bad point, or for its
 * size. Where a test looks at what was stored, the store is over the memory backend.
 */
class PointValidatorTest {

    private final TestStore memory = TestStore.memory();

    // ---- names, labels and values

    @Test
    void metricNamesFollowThePrometheusGrammar() {
        memory.scrape(point("a:b_c9", 1), point("_x", 1), point(":y", 1));
        for (String bad : new String[] {"9up", "a-b", "a b", "ä", ""}) {
            assertThat(validationErrors(() -> memory.scrape(point(bad, 1))))
                    .as(bad).extracting(FieldError::field).containsExactly("points[0].name");
        }
        assertThat(validationErrors(() -> memory.scrape(new RawPoint(null, null, number(1), null))))
                .extracting(FieldError::message).containsExactly("is required");
    }

    @Test
    void labelNamesFollowTheGrammarAndDoubleUnderscoreIsReserved() {
        memory.scrape(point("m", Map.of("_ok", "1", "Ok9", "2"), 1, null));
        assertThat(validationErrors(() -> memory.scrape(point("m", Map.of("__name__", "x"), 1, null))))
                .extracting(FieldError::field, FieldError::message)
                .containsExactly(tuple("points[0].labels.__name__", "label names starting with __ are reserved"));
        assertThat(validationErrors(() -> memory.scrape(point("m", Map.of("a:b", "x"), 1, null))))
                .extracting(FieldError::field).containsExactly("points[0].labels.a:b");
        assertThat(validationErrors(() -> memory.scrape(point("m", Map.of("9a", "x"), 1, null))))
                .extracting(FieldError::field).containsExactly("points[0].labels.9a");
        Map<String, String> nullValue = new HashMap<>();
        nullValue.put("a", null);
        assertThat(validationErrors(() -> memory.scrape(point("m", nullValue, 1, null))))
                .extracting(FieldError::field).containsExactly("points[0].labels.a");
    }

    @Test
    void anEmptyLabelValueIsDropped() {
        memory.scrape(point("m", Map.of("a", "1", "b", ""), 1, T0.minusSeconds(1)));
        memory.scrape(point("m", Map.of("a", "1"), 2, T0));
        assertThat(memory.live()).containsOnlyKeys("m{a=\"1\"}");
        assertThat(memory.live().get("m{a=\"1\"}").point().labels()).containsOnlyKeys("a");
    }

    @Test
    void sizeLimitsAreEnforced() {
        Map<String, String> five = Map.of("a", "1", "b", "1", "c", "1", "d", "1", "e", "1");
        assertThat(validationErrors(() -> memory.scrape(point("m", five, 1, null))))
                .extracting(FieldError::field).containsExactly("points[0].labels");
        Map<String, String> fourAndEmpty = Map.of("a", "1", "b", "1", "c", "1", "d", "1", "e", "");
        assertThat(validationErrors(() -> memory.scrape(point("m", fourAndEmpty, 1, null))))
                .extracting(FieldError::field, FieldError::message).containsExactly(tuple("points[0].labels",
                        "has 5 labels, more than store.limits.max-labels (4); labels with empty values count too"));
        assertThat(memory.scrape(point("m", Map.of("a", "1", "b", "1", "c", "1", "d", ""), 1, null)).applied())
                .isEqualTo(1);
        assertThat(validationErrors(() -> memory.scrape(point("m".repeat(41), 1))))
                .extracting(FieldError::field).containsExactly("points[0].name");
        memory.scrape(point("m".repeat(40), 1));
        assertThat(validationErrors(() -> memory.scrape(point("m", Map.of("l".repeat(21), "v"), 1, null))))
                .extracting(FieldError::field).containsExactly("points[0].labels." + "l".repeat(21));
        assertThat(validationErrors(() -> memory.scrape(point("m", Map.of("l", "v".repeat(31)), 1, null))))
                .extracting(FieldError::field).containsExactly("points[0].labels.l");
    }

    @Test
    void theRawLabelCountIsCheckedBeforeAnyLabelIsValidated() {
        Map<String, String> bad = new HashMap<>();
        for (int i = 0; i < 200_000; i++) {
            bad.put("-" + i, "x");
        }
        assertThat(validationErrors(() -> memory.scrape(point("m", bad, 1, null), point("9bad", 1))))
                .extracting(FieldError::field, FieldError::message).containsExactly(
                        tuple("points[0].labels", "has 200000 labels, more than store.limits.max-labels (4); "
                                + "labels with empty values count too"),
                        tuple("points[1].name", "must match [a-zA-Z_:][a-zA-Z0-9_:]*"));
    }

    @Test
    void aSeriesOverTheByteBudgetIsRefusedAndItsSizeNamed() {
        TestStore small = TestStore.memory("store.limits.max-series-bytes", "20");
        // 1 + 1 + 18 bytes: at the budget; an empty value is dropped, so it costs nothing.
        small.scrape(point("m", Map.of("a", "v".repeat(18), "dropped", ""), 1, null));
        // UTF-8 bytes, not characters: é is two bytes, 😀 four.
        small.scrape(point("u", Map.of("a", "é".repeat(5) + "😀".repeat(2)), 1, null));
        assertThat(validationErrors(() -> small.scrape(point("m", Map.of("a", "v".repeat(17) + "é"), 1, null))))
                .extracting(FieldError::field, FieldError::message).containsExactly(tuple("points[0]",
                        "is a series of 21 bytes (its name, label names and values in UTF-8), more than "
                                + "store.limits.max-series-bytes (20): shorten or drop labels"));
        assertThat(validationErrors(() -> small.scrape(point("n".repeat(21), 1))))
                .extracting(FieldError::field).containsExactly("points[0]");
        assertThat(TestConfigs.config().limits().maxSeriesBytes()).isEqualTo(4096);
    }

    @Test
    void theByteBudgetIsNotCheckedOnAPointWhoseNameOrLabelsAreAlreadyRefused() {
        TestStore small = TestStore.memory("store.limits.max-series-bytes", "10");
        assertThat(validationErrors(() -> small.scrape(point("m", Map.of("__long", "v".repeat(20)), 1, null))))
                .extracting(FieldError::field).containsExactly("points[0].labels.__long");
    }

    // ---- the error cap

    @Test
    void aRefusalListsAtMostMaxErrorsAndCountsThemAll() {
        RawPoint[] points = new RawPoint[50_000];
        Arrays.fill(points, point("9bad", 1));
        StoreException.Validation refusal = refusal(() -> memory.scrape(points));
        assertThat(refusal.errorCount()).isEqualTo(50_000);
        assertThat(refusal.errors()).hasSize(100);
        assertThat(refusal.errors().get(0).field()).isEqualTo("points[0].name");
        assertThat(refusal.errors().get(99).field()).isEqualTo("points[99].name");
        assertThat(refusal.getMessage()).isEqualTo("50000 fields are invalid; the first 100 are listed "
                + "(store.limits.max-errors): fix them and send again to see the rest");
    }

    @Test
    void labelsValidatedOneByOneAreCappedToo() {
        TestStore many = TestStore.memory("store.limits.max-labels", "250000", "store.limits.max-errors", "7");
        Map<String, String> bad = new HashMap<>();
        for (int i = 0; i < 200_000; i++) {
            bad.put("-" + i, "x");
        }
        StoreException.Validation refusal = refusal(() -> many.scrape(point("m", bad, 1, null), point("9", 1)));
        assertThat(refusal.errorCount()).isEqualTo(200_001);
        assertThat(refusal.errors()).hasSize(7).allSatisfy(error -> assertThat(error.field()).startsWith("points[0]."));
    }

    @Test
    void aRefusalUnderTheCapListsEverythingAndSaysSoPlainly() {
        StoreException.Validation refusal = refusal(() -> memory.scrape(point("9bad", 1)));
        assertThat(refusal.errorCount()).isEqualTo(1);
        assertThat(refusal.getMessage()).isEqualTo("1 field is invalid");
    }

    private static StoreException.Validation refusal(Runnable call) {
        try {
            call.run();
        } catch (StoreException.Validation invalid) {
            return invalid;
        }
        throw new AssertionError("expected a validation refusal");
    }

    @Test
    void valuesAreFiniteNumbersOrTheThreeSpecialStrings() {
        memory.scrape(new RawPoint("nan", null, string("NaN"), null),
                new RawPoint("pinf", null, string("+Inf"), null),
                new RawPoint("ninf", null, string("-Inf"), null),
                new RawPoint("big", null, new RawPoint.RawValue("1.7976931348623157e308", false), null),
                new RawPoint("neg", null, new RawPoint.RawValue("-12.5e-3", false), null));
        assertThat(memory.valueOf("nan")).isNaN();
        assertThat(memory.valueOf("pinf")).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(memory.valueOf("ninf")).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(memory.valueOf("big")).isEqualTo(Double.MAX_VALUE);
        assertThat(memory.valueOf("neg")).isEqualTo(-0.0125);
        for (RawPoint.RawValue bad : List.of(new RawPoint.RawValue("1e999", false),
                new RawPoint.RawValue("-1e400", false), string("Inf"),
                string("nan"), string("1"), string("infinity"))) {
            assertThat(validationErrors(() -> memory.scrape(new RawPoint("m", null, bad, null))))
                    .as(bad.toString()).extracting(FieldError::field).containsExactly("points[0].value");
        }
        assertThat(validationErrors(() -> memory.scrape(new RawPoint("m", null, null, null))))
                .extracting(FieldError::field, FieldError::message)
                .containsExactly(tuple("points[0].value", "is required"));
    }

    @Test
    void loneSurrogatesAreRefusedInLabelValuesAndHelp() {
        assertThat(validationErrors(() -> memory.store.write(new WriteBatch(LEADER, LEADER_SCRAPE,
                List.of(point("m", Map.of("a", "x\ud800"), 1, null)), Map.of("m", new RawFamily("gauge", "\udc00"))))))
                .extracting(FieldError::field).containsExactly("points[0].labels.a", "families.m.help");
    }

    // ---- updatedAt

    @Test
    void updatedAtIsRfc3339WithMillisecondPrecisionAndDefaultsToNow() {
        memory.clock.set(T0.plusMillis(1234));
        String offset = T0.plusNanos(999_999_000).atOffset(ZoneOffset.ofHours(1))
                .format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX"));
        String lower = T0.minusSeconds(1).atOffset(ZoneOffset.UTC)
                .format(DateTimeFormatter.ofPattern("yyyy-MM-dd't'HH:mm:ss'z'"));
        memory.scrape(point("now", 1),
                new RawPoint("offset", null, number(1), offset),
                new RawPoint("lower", null, number(1), lower));
        assertThat(memory.live().get("now").point().updatedAt()).isEqualTo(T0.plusMillis(1234));
        assertThat(memory.live().get("offset").point().updatedAt()).isEqualTo(T0.plusMillis(999));
        assertThat(memory.live().get("lower").point().updatedAt()).isEqualTo(T0.minusSeconds(1));
        for (String bad : new String[] {"yesterday", "2026-01-01", "2026-01-01T00:00Z", "2026-01-01T00:00:00",
                "1767225600", "2026-13-01T00:00:00Z"}) {
            assertThat(validationErrors(() -> memory.scrape(new RawPoint("m", null, number(1), bad))))
                    .as(bad).extracting(FieldError::field).containsExactly("points[0].updatedAt");
        }
    }

    @Test
    void updatedAtBeyondTheClockSkewOrTheRetentionIsRefused() {
        memory.scrape(point("edge_future", 1, T0.plus(Duration.ofMinutes(5))),
                point("edge_past", 1, T0.minus(Duration.ofHours(1)).plusMillis(1)));
        assertThat(validationErrors(() -> memory.scrape(point("m", 1, T0.plus(Duration.ofMinutes(5)).plusMillis(1)))))
                .extracting(FieldError::field).containsExactly("points[0].updatedAt");
        assertThat(validationErrors(() -> memory.scrape(point("m", 1, T0.minus(Duration.ofHours(1))))))
                .extracting(FieldError::field).containsExactly("points[0].updatedAt");
    }

    @Test
    void theClockSkewDefaultsToTenSecondsForScrapes() {
        TestStore defaults = TestStore.memory("store.max-clock-skew", TestConfigs.config().maxClockSkew().toString());
        assertThat(TestConfigs.config().maxClockSkew()).isEqualTo(Duration.ofSeconds(10));
        defaults.scrape(point("edge", 1, T0.plusSeconds(10)));
        assertThat(validationErrors(() -> defaults.scrape(point("m", 1, T0.plusSeconds(10).plusMillis(1)))))
                .extracting(FieldError::field, FieldError::message)
                .containsExactly(tuple("points[0].updatedAt", "is more than store.max-clock-skew (PT10S) in the future"));
    }

    @Test
    void aBackfillMoreThanOneSecondAheadIsRefused() {
        memory.backfill(point("edge", 1, T0.plusSeconds(1)));
        assertThat(validationErrors(() -> memory.backfill(point("m", 1, T0.plusSeconds(1).plusMillis(1)))))
                .extracting(FieldError::field, FieldError::message)
                .containsExactly(tuple("points[0].updatedAt", "is more than PT1S in the future: a worker_backfill point "
                        + "records the past, so send the time its value was observed (is the worker's clock ahead?)"));
        // The scrape of the same instant is within store.max-clock-skew.
        memory.scrape(point("m", 1, T0.plusSeconds(1).plusMillis(1)));
        // A skew below a second bounds backfills too.
        TestStore strict = TestStore.memory("store.max-clock-skew", "200ms");
        strict.backfill(point("edge", 1, T0.plusMillis(200)));
        assertThat(validationErrors(() -> strict.backfill(point("m", 1, T0.plusMillis(201)))))
                .extracting(FieldError::message).containsExactly("is more than PT0.2S in the future: a worker_backfill "
                        + "point records the past, so send the time its value was observed (is the worker's clock ahead?)");
    }

    // ---- whole batches

    @Test
    void aBatchWithAnyBadPointIsRefusedWholeAndNamesEveryBadPoint() {
        Cursor before = memory.store.cursor();
        List<FieldError> errors = validationErrors(() -> memory.scrape(point("good", 1), point("9bad", 1),
                point("also_good", 2), new RawPoint("x", Map.of("__a", "1"), string("nope"), "never")));
        assertThat(errors).extracting(FieldError::field).containsExactly(
                "points[1].name", "points[3].labels.__a", "points[3].value", "points[3].updatedAt");
        assertThat(memory.live()).isEmpty();
        assertThat(memory.store.cursor()).isEqualTo(before);
        assertThat(validationErrors(() ->
                memory.store.write(new WriteBatch(LEADER, LEADER_SCRAPE, Arrays.asList(point("a", 1), null)))))
                .extracting(FieldError::field).containsExactly("points[1]");
    }

    @Test
    void aBatchOverMaxBatchIsRefused() {
        RawPoint[] points = new RawPoint[51];
        for (int i = 0; i < points.length; i++) {
            points[i] = point("m_" + i, i);
        }
        assertThatThrownBy(() -> memory.scrape(points)).isInstanceOf(StoreException.BatchTooLarge.class)
                .hasMessageContaining("store.max-batch");
        assertThat(memory.live()).isEmpty();
        assertThat(memory.scrape(Arrays.copyOf(points, 50)).applied()).isEqualTo(50);
    }

    // ---- family descriptions

    @Test
    void badFamilyDescriptionsAreNamedAndNothingIsWritten() {
        Map<String, RawFamily> families = new LinkedHashMap<>();
        families.put("9bad", new RawFamily("gauge", ""));
        families.put("typo", new RawFamily("histogramm", ""));
        families.put("wordy", new RawFamily("gauge", "h".repeat(1025)));
        families.put("empty", null);
        families.put("fine", new RawFamily("summary", "ok"));
        List<FieldError> errors = validationErrors(() ->
                memory.store.write(new WriteBatch(LEADER, LEADER_SCRAPE, List.of(point("bad name", 1)), families)));
        assertThat(errors).extracting(FieldError::field).containsExactly("points[0].name", "families.9bad",
                "families.typo.type", "families.wordy.help", "families.empty");
        assertThat(errors.get(2).message())
                .isEqualTo("must be one of \"counter\", \"gauge\", \"histogram\", \"summary\", \"untyped\"");
        assertThat(memory.store.families()).isEmpty();
        assertThat(memory.live()).isEmpty();
    }

    @Test
    void aCounterWhoseFamilyNameWouldBeEmptyIsRefused() {
        assertThat(validationErrors(() -> memory.store.write(new WriteBatch(LEADER, LEADER_SCRAPE, List.of(),
                Map.of("_total", new RawFamily("counter", "")))))).extracting(FieldError::field, FieldError::message)
                .containsExactly(tuple("families._total", "a counter's family name is its name without _total, which "
                        + "leaves nothing here: name the counter after what it counts, such as requests_total"));
        // Only a counter loses its _total in the exposition; a point keeps its whole name as its family's.
        memory.store.write(new WriteBatch(LEADER, LEADER_SCRAPE, List.of(point("_total", 1), point("_created", 1)),
                Map.of("_bucket", new RawFamily("histogram", ""), "_count", new RawFamily("gauge", ""))));
        assertThat(memory.store.families()).hasSize(2);
    }
}
