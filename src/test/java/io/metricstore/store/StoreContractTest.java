package io.metricstore.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.metricstore.exposition.ExpositionFormat;
import io.metricstore.exposition.FollowerCache;
import io.metricstore.store.model.Change;
import io.metricstore.store.model.Cursor;
import io.metricstore.store.model.Delta;
import io.metricstore.store.model.Family;
import io.metricstore.store.model.FieldError;
import io.metricstore.store.model.GcReport;
import io.metricstore.store.model.LockGrant;
import io.metricstore.store.model.LockKind;
import io.metricstore.store.model.LockState;
import io.metricstore.store.model.MetricType;
import io.metricstore.store.model.SampleValue;
import io.metricstore.store.model.Series;
import io.metricstore.store.model.Snapshot;
import io.metricstore.store.model.WriteResult;
import io.metricstore.store.model.WriteSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;


/**
 * Every domain rule of the specification (SPEC §2), run against each backend through the one entry point,
 * {@link MetricStore}. A backend's test class only says how to make an empty backend.
 */
public abstract class StoreContractTest {

    /** The wall clock's time at start, so that a backend's own expiry (Redis TTLs) agrees with the test's clock. */
    protected static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    protected static final String[] BASE_CONFIG = {
        "store.retention", "1h",
        "store.max-series", "100",
        "store.max-batch", "50",
        "store.max-clock-skew", "5m",
        "store.changes.tombstone-retention", "10m",
        "store.locks.max-ttl", "1h",
        "store.limits.max-labels", "4",
        "store.limits.max-name-length", "40",
        "store.limits.max-label-name-length", "20",
        "store.limits.max-label-value-length", "30",
    };

    protected MutableClock clock;
    protected StoreBackend backend;
    protected MetricStore store;
    protected StoreConfig config;
    private final List<ExecutorService> pools = new ArrayList<>();

    /** A backend holding no state, configured by {@code config}. */
    protected abstract StoreBackend newBackend(StoreConfig config);

    /** Properties a backend needs beside the base ones, for example a namespace of its own for every store. */
    protected String[] backendConfig() {
        return new String[0];
    }

    @BeforeEach
    void startEmpty() {
        use();
    }

    @AfterEach
    void stopPools() {
        pools.forEach(ExecutorService::shutdownNow);
    }

    /** Replaces the store with an empty one using the base configuration plus {@code overrides}. */
    protected void use(String... overrides) {
        List<String> all = new ArrayList<>(List.of(BASE_CONFIG));
        all.addAll(List.of(backendConfig()));
        all.addAll(List.of(overrides));
        config = TestConfigs.config(all.toArray(String[]::new));
        clock = new MutableClock(T0);
        backend = newBackend(config);
        store = new MetricStore(backend, config, clock, new StoreMetrics(new SimpleMeterRegistry(), backend, clock));
    }

    // ---- helpers

    /** A value as a client sends it: finite values as JSON numbers, the others as their strings. */
    protected static RawPoint.RawValue number(double value) {
        return new RawPoint.RawValue(SampleValue.text(value), !Double.isFinite(value));
    }

    protected static RawPoint.RawValue string(String value) {
        return new RawPoint.RawValue(value, true);
    }

    protected static RawPoint point(String name, Map<String, String> labels, double value, Instant at) {
        return new RawPoint(name, labels, number(value), at == null ? null : at.toString());
    }

    protected static RawPoint point(String name, double value) {
        return point(name, Map.of(), value, null);
    }

    protected static RawPoint point(String name, double value, Instant at) {
        return point(name, Map.of(), value, at);
    }

    protected WriteResult scrape(RawPoint... points) {
        return store.write("leader", "leader_scrape", List.of(points));
    }

    protected WriteResult backfill(RawPoint... points) {
        return store.write("follower", "worker_backfill", List.of(points));
    }

    protected Map<String, Series> live() {
        Map<String, Series> byId = new HashMap<>();
        store.snapshot(Optional.empty()).series().forEach(s -> byId.put(s.id(), s));
        return byId;
    }

    protected double valueOf(String id) {
        Series series = live().get(id);
        assertThat(series).as("series %s", id).isNotNull();
        return series.point().value();
    }

    protected List<FieldError> validationErrors(Runnable call) {
        try {
            call.run();
        } catch (StoreException.Validation invalid) {
            return invalid.errors();
        }
        throw new AssertionError("expected a validation refusal");
    }

    protected Delta changesSince(Cursor cursor) {
        return store.changes(cursor.encode(), null);
    }

    // ---- write guard

    @Test
    void followerMayNotWriteScrapeResults() {
        assertThatThrownBy(() -> store.write("follower", "leader_scrape", List.of(point("up", 1))))
                .isInstanceOf(StoreException.WriteForbidden.class);
        assertThat(live()).isEmpty();
        assertThat(store.cursor().sequence()).isZero();
    }

    @Test
    void anyRoleMayWriteBackfillsAndTheLeaderMayWriteScrapes() {
        assertThat(store.write("follower", "worker_backfill", List.of(point("a", 1))).applied()).isEqualTo(1);
        assertThat(store.write("leader", "worker_backfill", List.of(point("b", 1))).applied()).isEqualTo(1);
        assertThat(store.write("leader", "leader_scrape", List.of(point("c", 1))).applied()).isEqualTo(1);
        assertThat(live()).containsOnlyKeys("a", "b", "c");
    }

    @Test
    void unknownRoleOrSourceIsAValidationError() {
        assertThat(validationErrors(() -> store.write("boss", "scrape", List.of(point("up", 1)))))
                .extracting(FieldError::field).containsExactly("role", "source");
        assertThat(validationErrors(() -> store.write("Leader", "leader_scrape", List.of())))
                .extracting(FieldError::field).containsExactly("role");
        assertThat(validationErrors(() -> store.write("leader", "leader_scrape", null)))
                .extracting(FieldError::field).containsExactly("points");
    }

    // ---- series id

    @Test
    void seriesIdIsTheCanonicalPrometheusForm() {
        scrape(point("http_requests_total", Map.of("method", "get", "code", "200"), 1, null),
                point("weird", Map.of("path", "C:\\dir \"x\"\nnext"), 2, null),
                point("plain", 3));
        assertThat(live()).containsOnlyKeys(
                "http_requests_total{code=\"200\",method=\"get\"}",
                "weird{path=\"C:\\\\dir \\\"x\\\"\\nnext\"}",
                "plain");
    }

    @Test
    void labelOrderDoesNotMakeAnotherSeries() {
        Map<String, String> ab = new java.util.LinkedHashMap<>();
        ab.put("a", "1");
        ab.put("b", "2");
        Map<String, String> ba = new java.util.LinkedHashMap<>();
        ba.put("b", "2");
        ba.put("a", "1");
        scrape(point("m", ab, 1, T0.minusSeconds(1)));
        scrape(point("m", ba, 2, T0));
        assertThat(live()).containsOnlyKeys("m{a=\"1\",b=\"2\"}");
        assertThat(valueOf("m{a=\"1\",b=\"2\"}")).isEqualTo(2);
    }

    // ---- validation

    @Test
    void metricNamesFollowThePrometheusGrammar() {
        scrape(point("a:b_c9", 1), point("_x", 1), point(":y", 1));
        for (String bad : new String[] {"9up", "a-b", "a b", "ä", ""}) {
            assertThat(validationErrors(() -> scrape(point(bad, 1))))
                    .as(bad).extracting(FieldError::field).containsExactly("points[0].name");
        }
        assertThat(validationErrors(() -> scrape(new RawPoint(null, null, number(1), null))))
                .extracting(FieldError::message).containsExactly("is required");
    }

    @Test
    void labelNamesFollowTheGrammarAndDoubleUnderscoreIsReserved() {
        scrape(point("m", Map.of("_ok", "1", "Ok9", "2"), 1, null));
        assertThat(validationErrors(() -> scrape(point("m", Map.of("__name__", "x"), 1, null))))
                .extracting(FieldError::field, FieldError::message)
                .containsExactly(tuple("points[0].labels.__name__", "label names starting with __ are reserved"));
        assertThat(validationErrors(() -> scrape(point("m", Map.of("a:b", "x"), 1, null))))
                .extracting(FieldError::field).containsExactly("points[0].labels.a:b");
        assertThat(validationErrors(() -> scrape(point("m", Map.of("9a", "x"), 1, null))))
                .extracting(FieldError::field).containsExactly("points[0].labels.9a");
        Map<String, String> nullValue = new HashMap<>();
        nullValue.put("a", null);
        assertThat(validationErrors(() -> scrape(point("m", nullValue, 1, null))))
                .extracting(FieldError::field).containsExactly("points[0].labels.a");
    }

    @Test
    void anEmptyLabelValueIsDropped() {
        scrape(point("m", Map.of("a", "1", "b", ""), 1, T0.minusSeconds(1)));
        scrape(point("m", Map.of("a", "1"), 2, T0));
        assertThat(live()).containsOnlyKeys("m{a=\"1\"}");
        assertThat(live().get("m{a=\"1\"}").point().labels()).containsOnlyKeys("a");
    }

    @Test
    void sizeLimitsAreEnforced() {
        Map<String, String> five = Map.of("a", "1", "b", "1", "c", "1", "d", "1", "e", "1");
        assertThat(validationErrors(() -> scrape(point("m", five, 1, null))))
                .extracting(FieldError::field).containsExactly("points[0].labels");
        Map<String, String> fourAndEmpty = Map.of("a", "1", "b", "1", "c", "1", "d", "1", "e", "");
        assertThat(scrape(point("m", fourAndEmpty, 1, null)).applied()).isEqualTo(1);
        assertThat(validationErrors(() -> scrape(point("m".repeat(41), 1))))
                .extracting(FieldError::field).containsExactly("points[0].name");
        scrape(point("m".repeat(40), 1));
        assertThat(validationErrors(() -> scrape(point("m", Map.of("l".repeat(21), "v"), 1, null))))
                .extracting(FieldError::field).containsExactly("points[0].labels." + "l".repeat(21));
        assertThat(validationErrors(() -> scrape(point("m", Map.of("l", "v".repeat(31)), 1, null))))
                .extracting(FieldError::field).containsExactly("points[0].labels.l");
    }

    @Test
    void valuesAreFiniteNumbersOrTheThreeSpecialStrings() {
        scrape(new RawPoint("nan", null, string("NaN"), null),
                new RawPoint("pinf", null, string("+Inf"), null),
                new RawPoint("ninf", null, string("-Inf"), null),
                new RawPoint("big", null, new RawPoint.RawValue("1.7976931348623157e308", false), null),
                new RawPoint("neg", null, new RawPoint.RawValue("-12.5e-3", false), null));
        assertThat(valueOf("nan")).isNaN();
        assertThat(valueOf("pinf")).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(valueOf("ninf")).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(valueOf("big")).isEqualTo(Double.MAX_VALUE);
        assertThat(valueOf("neg")).isEqualTo(-0.0125);
        for (RawPoint.RawValue bad : List.of(new RawPoint.RawValue("1e999", false),
                new RawPoint.RawValue("-1e400", false), string("Inf"),
                string("nan"), string("1"), string("infinity"))) {
            assertThat(validationErrors(() -> scrape(new RawPoint("m", null, bad, null))))
                    .as(bad.toString()).extracting(FieldError::field).containsExactly("points[0].value");
        }
        assertThat(validationErrors(() -> scrape(new RawPoint("m", null, null, null))))
                .extracting(FieldError::field, FieldError::message).containsExactly(tuple("points[0].value", "is required"));
    }

    @Test
    void updatedAtIsRfc3339WithMillisecondPrecisionAndDefaultsToNow() {
        clock.set(T0.plusMillis(1234));
        String offset = T0.plusNanos(999_999_000).atOffset(ZoneOffset.ofHours(1))
                .format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX"));
        String lower = T0.minusSeconds(1).atOffset(ZoneOffset.UTC)
                .format(DateTimeFormatter.ofPattern("yyyy-MM-dd't'HH:mm:ss'z'"));
        scrape(point("now", 1),
                new RawPoint("offset", null, number(1), offset),
                new RawPoint("lower", null, number(1), lower));
        assertThat(live().get("now").point().updatedAt()).isEqualTo(T0.plusMillis(1234));
        assertThat(live().get("offset").point().updatedAt()).isEqualTo(T0.plusMillis(999));
        assertThat(live().get("lower").point().updatedAt()).isEqualTo(T0.minusSeconds(1));
        for (String bad : new String[] {"yesterday", "2026-01-01", "2026-01-01T00:00Z", "2026-01-01T00:00:00",
                "1767225600", "2026-13-01T00:00:00Z"}) {
            assertThat(validationErrors(() -> scrape(new RawPoint("m", null, number(1), bad))))
                    .as(bad).extracting(FieldError::field).containsExactly("points[0].updatedAt");
        }
    }

    @Test
    void updatedAtBeyondTheClockSkewOrTheRetentionIsRefused() {
        scrape(point("edge_future", 1, T0.plus(Duration.ofMinutes(5))),
                point("edge_past", 1, T0.minus(Duration.ofHours(1)).plusMillis(1)));
        assertThat(validationErrors(() -> scrape(point("m", 1, T0.plus(Duration.ofMinutes(5)).plusMillis(1)))))
                .extracting(FieldError::field).containsExactly("points[0].updatedAt");
        assertThat(validationErrors(() -> scrape(point("m", 1, T0.minus(Duration.ofHours(1))))))
                .extracting(FieldError::field).containsExactly("points[0].updatedAt");
    }

    @Test
    void aBatchWithAnyBadPointIsRefusedWholeAndNamesEveryBadPoint() {
        Cursor before = store.cursor();
        List<FieldError> errors = validationErrors(() -> scrape(point("good", 1), point("9bad", 1),
                point("also_good", 2), new RawPoint("x", Map.of("__a", "1"), string("nope"), "never")));
        assertThat(errors).extracting(FieldError::field).containsExactly(
                "points[1].name", "points[3].labels.__a", "points[3].value", "points[3].updatedAt");
        assertThat(live()).isEmpty();
        assertThat(store.cursor()).isEqualTo(before);
        assertThat(validationErrors(() -> store.write("leader", "leader_scrape", java.util.Arrays.asList(point("a", 1), null))))
                .extracting(FieldError::field).containsExactly("points[1]");
    }

    @Test
    void aBatchOverMaxBatchIsRefused() {
        RawPoint[] points = new RawPoint[51];
        for (int i = 0; i < points.length; i++) {
            points[i] = point("m_" + i, i);
        }
        assertThatThrownBy(() -> scrape(points)).isInstanceOf(StoreException.BatchTooLarge.class)
                .hasMessageContaining("store.max-batch");
        assertThat(live()).isEmpty();
        assertThat(scrape(java.util.Arrays.copyOf(points, 50)).applied()).isEqualTo(50);
    }

    @Test
    void anEmptyBatchDoesNothing() {
        WriteResult result = scrape();
        assertThat(result).isEqualTo(new WriteResult(0, 0, 0, store.cursor()));
    }

    // ---- families

    @Test
    void familiesAreDescribedAndLiveAsLongAsASeriesWrittenThen() {
        Map<String, RawFamily> families = new java.util.LinkedHashMap<>();
        families.put("http_requests", new RawFamily("counter", "Requests \\ served\nby code"));
        families.put("queue_depth", new RawFamily(null, null));
        store.write("leader", "leader_scrape", List.of(point("http_requests_total", 1)), families);
        assertThat(store.families()).containsExactly(
                new Family("http_requests", MetricType.COUNTER, "Requests \\ served\nby code"),
                new Family("queue_depth", MetricType.UNTYPED, ""));
        clock.advance(Duration.ofMinutes(30));
        store.write("follower", "worker_backfill", List.of(), Map.of("queue_depth", new RawFamily("gauge", "Depth")));
        assertThat(store.families()).extracting(Family::name, Family::type)
                .containsExactly(tuple("http_requests", MetricType.COUNTER), tuple("queue_depth", MetricType.GAUGE));
        clock.advance(Duration.ofMinutes(30));
        assertThat(store.families()).extracting(Family::name).containsExactly("queue_depth");
        store.gc();
        assertThat(store.families()).extracting(Family::name).containsExactly("queue_depth");
        clock.advance(Duration.ofMinutes(30));
        store.gc();
        assertThat(store.families()).isEmpty();
    }

    @Test
    void badFamilyDescriptionsAreNamedAndNothingIsWritten() {
        Map<String, RawFamily> families = new java.util.LinkedHashMap<>();
        families.put("9bad", new RawFamily("gauge", ""));
        families.put("typo", new RawFamily("histogramm", ""));
        families.put("wordy", new RawFamily("gauge", "h".repeat(1025)));
        families.put("empty", null);
        families.put("fine", new RawFamily("summary", "ok"));
        List<FieldError> errors = validationErrors(() ->
                store.write("leader", "leader_scrape", List.of(point("bad name", 1)), families));
        assertThat(errors).extracting(FieldError::field).containsExactly("points[0].name", "families.9bad",
                "families.typo.type", "families.wordy.help", "families.empty");
        assertThat(store.families()).isEmpty();
        assertThat(live()).isEmpty();
    }

    @Test
    void aBatchRefusedByTheCapRecordsNoFamily() {
        use("store.max-series", "1");
        scrape(point("a", 1));
        assertThatThrownBy(() -> store.write("leader", "leader_scrape", List.of(point("b", 1)),
                Map.of("b", new RawFamily("gauge", "B")))).isInstanceOf(StoreException.SeriesLimitExceeded.class);
        assertThat(store.families()).isEmpty();
    }

    // ---- precedence

    @Test
    void aNewerUpdateWinsAndAnOlderOneIsStale() {
        scrape(point("m", 1, T0.minusSeconds(10)));
        assertThat(scrape(point("m", 2, T0.minusSeconds(5))).applied()).isEqualTo(1);
        WriteResult older = scrape(point("m", 3, T0.minusSeconds(7)));
        assertThat(older.stale()).isEqualTo(1);
        assertThat(older.applied()).isZero();
        assertThat(valueOf("m")).isEqualTo(2);
    }

    @Test
    void onAnEqualTimeAScrapeBeatsABackfill() {
        Instant at = T0.minusSeconds(10);
        backfill(point("m", 1, at));
        assertThat(scrape(point("m", 2, at)).applied()).isEqualTo(1);
        assertThat(backfill(point("m", 3, at)).stale()).isEqualTo(1);
        assertThat(valueOf("m")).isEqualTo(2);
        assertThat(live().get("m").source()).isEqualTo(WriteSource.LEADER_SCRAPE);
    }

    @Test
    void aLateBackfillNeverOverwritesAFresherScrape() {
        scrape(point("m", 10, T0));
        assertThat(backfill(point("m", 5, T0.minusSeconds(30))).stale()).isEqualTo(1);
        assertThat(valueOf("m")).isEqualTo(10);
        assertThat(backfill(point("m", 11, T0.plusMillis(1))).applied()).isEqualTo(1);
        assertThat(live().get("m").source()).isEqualTo(WriteSource.WORKER_BACKFILL);
    }

    @Test
    void anIdenticalReplayIsUnchangedAndDoesNotMoveTheCursor() {
        Instant at = T0.minusSeconds(1);
        Cursor after = scrape(point("m", Map.of("a", "1"), Double.NaN, at)).cursor();
        WriteResult replay = scrape(point("m", Map.of("a", "1"), Double.NaN, at));
        assertThat(replay.unchanged()).isEqualTo(1);
        assertThat(replay.cursor()).isEqualTo(after);
        assertThat(store.cursor()).isEqualTo(after);
        assertThat(changesSince(after).events()).isEmpty();
    }

    @Test
    void aCorrectionWithTheSameTimeAndSourceIsApplied() {
        Instant at = T0.minusSeconds(1);
        backfill(point("m", 1, at));
        assertThat(backfill(point("m", 2, at)).applied()).isEqualTo(1);
        assertThat(valueOf("m")).isEqualTo(2);
    }

    @Test
    void pointsOfOneBatchApplyInOrder() {
        WriteResult result = scrape(point("m", 1, T0.minusSeconds(3)), point("m", 2, T0.minusSeconds(1)),
                point("m", 3, T0.minusSeconds(2)), point("m", 2, T0.minusSeconds(1)));
        assertThat(result).extracting(WriteResult::applied, WriteResult::unchanged, WriteResult::stale)
                .containsExactly(2, 1, 1);
        assertThat(valueOf("m")).isEqualTo(2);
    }

    // ---- series cap

    @Test
    void aWriteThatWouldExceedTheCapIsRefusedWhole() {
        use("store.max-series", "3");
        scrape(point("a", 1), point("b", 1));
        Cursor before = store.cursor();
        assertThatThrownBy(() -> scrape(point("a", 2, T0.plusMillis(1)), point("c", 1), point("d", 1)))
                .isInstanceOf(StoreException.SeriesLimitExceeded.class);
        assertThat(live()).containsOnlyKeys("a", "b");
        assertThat(valueOf("a")).isEqualTo(1);
        assertThat(store.cursor()).isEqualTo(before);
        assertThat(scrape(point("c", 1), point("c", 2, T0.plusMillis(1))).applied()).isEqualTo(2);
    }

    @Test
    void updatesOfExistingSeriesAreNeverRefusedByTheCap() {
        use("store.max-series", "2");
        scrape(point("a", 1), point("b", 1));
        clock.advance(Duration.ofSeconds(1));
        assertThat(scrape(point("a", 2), point("b", 2)).applied()).isEqualTo(2);
    }

    @Test
    void expiredSeriesNeverCountAgainstTheCap() {
        use("store.max-series", "2");
        scrape(point("a", 1), point("b", 1));
        clock.advance(Duration.ofMinutes(30));
        scrape(point("b", 2));
        clock.advance(Duration.ofMinutes(31));
        // "a" expired without any GC run; "b" is live.
        assertThat(scrape(point("c", 1)).applied()).isEqualTo(1);
        assertThat(live()).containsOnlyKeys("b", "c");
        assertThatThrownBy(() -> scrape(point("d", 1))).isInstanceOf(StoreException.SeriesLimitExceeded.class);
    }

    // ---- retention and GC

    @Test
    void aSeriesExpiresAfterTheRetentionAndTheGcRecordsItsDeletion() {
        scrape(point("old", 1), point("young", 1, T0.plusSeconds(60)));
        Cursor before = store.cursor();
        clock.advance(Duration.ofHours(1));
        assertThat(live()).containsOnlyKeys("young");
        GcReport report = store.gc();
        assertThat(report.expiredSeries()).isEqualTo(1);
        Delta delta = changesSince(before);
        assertThat(delta.events()).containsExactly(Change.deletion("old"));
        assertThat(store.gc().expiredSeries()).isZero();
        clock.advance(Duration.ofMinutes(1));
        assertThat(store.gc().expiredSeries()).isEqualTo(1);
        assertThat(live()).isEmpty();
    }

    @Test
    void anExpiredSeriesIsDeletedForFollowersBeforeTheGcRuns() {
        Cursor before = store.cursor();
        scrape(point("m", 1), point("young", 1, T0.plusSeconds(1)));
        clock.advance(Duration.ofHours(1));
        assertThat(changesSince(before).events()).containsExactly(Change.deletion("m"), Change.upsert(
                live().get("young")));
        assertThat(store.snapshot(Optional.empty()).series()).extracting(Series::id).containsExactly("young");
    }

    @Test
    void countingExpiredSeriesForTheCapDeletesNothing() {
        use("store.max-series", "2");
        scrape(point("a", 1), point("b", 1));
        clock.advance(Duration.ofHours(1));
        Cursor before = store.cursor();
        assertThat(scrape(point("c", 1), point("d", 1)).applied()).isEqualTo(2);
        assertThat(store.cursor().sequence()).as("only the two writes moved the cursor")
                .isEqualTo(before.sequence() + 2);
        assertThat(store.gc().expiredSeries()).as("the GC still finds both expired series").isEqualTo(2);
    }

    @Test
    void largeBatchesSnapshotsDeltasAndGcsSpanManyPages() {
        use("store.max-batch", "2500", "store.max-series", "3000");
        RawPoint[] points = new RawPoint[2500];
        for (int i = 0; i < points.length; i++) {
            points[i] = point("bulk", Map.of("i", String.format("%04d", i)), i, null);
        }
        Cursor before = store.cursor();
        assertThat(scrape(points).applied()).isEqualTo(2500);
        List<Series> snapshot = store.snapshot(Optional.empty()).series();
        assertThat(snapshot).hasSize(2500);
        assertThat(snapshot.get(0).id()).isEqualTo("bulk{i=\"0000\"}");
        assertThat(snapshot.get(2499).point().value()).isEqualTo(2499);
        Delta page = store.changes(before.encode(), "10000");
        assertThat(page.events()).hasSize(2500);
        assertThat(page.more()).isFalse();
        clock.advance(Duration.ofHours(1));
        assertThat(store.gc().expiredSeries()).isEqualTo(2500);
        assertThat(store.changes(page.cursor().encode(), "10000").events()).hasSize(2500)
                .allMatch(Change::deleted);
        clock.advance(Duration.ofMinutes(10));
        assertThat(store.gc().trimmedTombstones()).isEqualTo(2500);
    }

    @Test
    void liveSeriesExcludeExpiredOnes() {
        scrape(point("old", 1), point("new", 1, T0.plusSeconds(10)));
        assertThat(backend.liveSeries(clock.instant())).isEqualTo(2);
        clock.advance(Duration.ofHours(1));
        assertThat(backend.liveSeries(clock.instant())).isEqualTo(1);
    }

    @Test
    void aDeletedSeriesCanComeBack() {
        scrape(point("m", 1));
        clock.advance(Duration.ofHours(2));
        store.gc();
        Cursor afterDeletion = store.cursor();
        Cursor beforeReturn = afterDeletion;
        scrape(point("m", 2));
        Delta delta = changesSince(beforeReturn);
        assertThat(delta.events()).extracting(Change::id, Change::deleted).containsExactly(tuple("m", false));
        assertThat(changesSince(new Cursor(afterDeletion.epoch(), 0)).events())
                .extracting(Change::id, Change::deleted).containsExactly(tuple("m", false));
    }

    // ---- snapshot

    @Test
    void aSnapshotIsSortedByNameThenByLabelSet() {
        scrape(point("a_b", 1), point("a", Map.of("x", "2"), 1, null), point("a", Map.of("x", "10"), 1, null),
                point("a", 1), point("a", Map.of("w", "z"), 1, null), point("a", Map.of("x", "2", "y", "1"), 1, null),
                point("B", 1));
        assertThat(store.snapshot(Optional.empty()).series()).extracting(Series::id).containsExactly(
                "B", "a", "a{w=\"z\"}", "a{x=\"10\"}", "a{x=\"2\"}", "a{x=\"2\",y=\"1\"}", "a_b");
    }

    @Test
    void aSnapshotCanBeFilteredByMetricName() {
        scrape(point("a", Map.of("k", "1"), 1, null), point("a", 1), point("b", 1));
        assertThat(store.snapshot(Optional.of("a")).series()).extracting(Series::id).containsExactly("a", "a{k=\"1\"}");
        assertThat(store.snapshot(Optional.of("zzz")).series()).isEmpty();
    }

    @Test
    void aSnapshotFilterMustBeAMetricName() {
        assertThat(validationErrors(() -> store.snapshot(Optional.of("a{x=\"1\"}"))))
                .extracting(FieldError::field).containsExactly("name");
    }

    @Test
    void aSnapshotCarriesTheCursorOfItsState() {
        scrape(point("a", 1), point("b", 2));
        Snapshot snapshot = store.snapshot(Optional.empty());
        assertThat(snapshot.cursor()).isEqualTo(store.cursor());
        assertThat(changesSince(snapshot.cursor()).events()).isEmpty();
        clock.advance(Duration.ofSeconds(1));
        scrape(point("b", 3));
        assertThat(changesSince(snapshot.cursor()).events()).extracting(Change::id).containsExactly("b");
    }

    @Test
    void aSnapshotReportsValueUpdatedAtAndSource() {
        backfill(point("m", Map.of("k", "v"), 4.5, T0.minusMillis(1500)));
        Series series = store.snapshot(Optional.empty()).series().get(0);
        assertThat(series.point().name()).isEqualTo("m");
        assertThat(series.point().labels()).containsExactly(Map.entry("k", "v"));
        assertThat(series.point().value()).isEqualTo(4.5);
        assertThat(series.point().updatedAt()).isEqualTo(T0.minusMillis(1500));
        assertThat(series.source()).isEqualTo(WriteSource.WORKER_BACKFILL);
    }

    // ---- change feed

    @Test
    void everyAppliedWriteAdvancesTheCursorAndNothingElseDoes() {
        Cursor c0 = store.cursor();
        Cursor c1 = scrape(point("a", 1, T0.minusSeconds(2)), point("b", 1, T0.minusSeconds(2))).cursor();
        assertThat(c1.sequence()).isEqualTo(c0.sequence() + 2);
        Cursor c2 = scrape(point("a", 0, T0.minusSeconds(3)), point("b", 1, T0.minusSeconds(2))).cursor();
        assertThat(c2).isEqualTo(c1);
        assertThat(store.gc()).isEqualTo(new GcReport(0, 0, 0));
        assertThat(store.cursor()).isEqualTo(c1);
    }

    @Test
    void theFeedIsCompactedToTheLatestChangePerSeriesOldestFirst() {
        Cursor start = store.cursor();
        scrape(point("a", 1, T0.minusSeconds(9)));
        scrape(point("b", 1, T0.minusSeconds(9)));
        scrape(point("a", 2, T0.minusSeconds(8)));
        scrape(point("c", 1, T0.minusSeconds(9)));
        scrape(point("a", 3, T0.minusSeconds(7)));
        Delta delta = changesSince(start);
        assertThat(delta.events()).extracting(Change::id).containsExactly("b", "c", "a");
        assertThat(delta.events().get(2).series().point().value()).isEqualTo(3);
        assertThat(delta.more()).isFalse();
        assertThat(delta.cursor()).isEqualTo(store.cursor());
    }

    @Test
    void thousandsOfRewritesLeaveOneChangePerSeriesAndExactExpiries() {
        use("store.max-batch", "100", "store.max-series", "100");
        Cursor start = store.cursor();
        Instant base = T0.minus(Duration.ofMinutes(30));
        // 6,000 changes of 100 series: far more rewrites than series, as a busy exporter makes.
        for (int round = 0; round < 80; round++) {
            List<RawPoint> points = new ArrayList<>();
            for (int i = round < 40 ? 0 : 50; i < 100; i++) {
                points.add(point("m", Map.of("i", String.format("%03d", i)), round, base.plusSeconds(round)));
            }
            assertThat(store.write("leader", "leader_scrape", points).applied()).isEqualTo(points.size());
        }
        Delta all = store.changes(start.encode(), "10000");
        assertThat(all.events()).hasSize(100);
        assertThat(all.events().get(0).id()).as("oldest first").isEqualTo("m{i=\"000\"}");
        assertThat(all.events().get(0).series().point().value()).isEqualTo(39);
        assertThat(all.events().get(99).series().point().value()).isEqualTo(79);
        List<String> paged = new ArrayList<>();
        Cursor cursor = start;
        Delta page;
        do {
            page = store.changes(cursor.encode(), "7");
            page.events().forEach(event -> paged.add(event.id()));
            cursor = page.cursor();
        } while (page.more());
        assertThat(paged).containsExactlyElementsOf(all.events().stream().map(Change::id).toList());
        assertThat(cursor).isEqualTo(store.cursor());

        clock.set(base.plus(Duration.ofHours(1)).plusSeconds(50));
        List<RawPoint> fresh = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            fresh.add(point("n", Map.of("i", String.valueOf(i)), i, null));
        }
        assertThat(store.write("leader", "leader_scrape", fresh).applied())
                .as("the 50 series last written in round 39 have expired and leave room").isEqualTo(50);
        assertThat(store.gc().expiredSeries()).isEqualTo(50);
        assertThat(live()).hasSize(100);
    }

    @Test
    void aLimitPagesThroughTheFeedEachSeriesOnce() {
        Cursor start = store.cursor();
        for (int i = 0; i < 10; i++) {
            scrape(point("m_" + i, i));
        }
        List<String> seen = new ArrayList<>();
        Cursor cursor = start;
        int pages = 0;
        Delta page;
        do {
            page = store.changes(cursor.encode(), "3");
            page.events().forEach(e -> seen.add(e.id()));
            cursor = page.cursor();
            pages++;
        } while (page.more());
        assertThat(pages).isEqualTo(4);
        assertThat(seen).containsExactly("m_0", "m_1", "m_2", "m_3", "m_4", "m_5", "m_6", "m_7", "m_8", "m_9");
        assertThat(cursor).isEqualTo(store.cursor());
    }

    @Test
    void aSeriesChangedWhilePagingMovesToTheEnd() {
        Cursor start = store.cursor();
        scrape(point("a", 1, T0.minusSeconds(2)), point("b", 1, T0.minusSeconds(2)), point("c", 1, T0.minusSeconds(2)));
        Delta first = store.changes(start.encode(), "2");
        assertThat(first.events()).extracting(Change::id).containsExactly("a", "b");
        scrape(point("a", 2, T0.minusSeconds(1)));
        Delta second = store.changes(first.cursor().encode(), "2");
        assertThat(second.events()).extracting(Change::id).containsExactly("c", "a");
        assertThat(second.more()).isFalse();
    }

    @Test
    void trimmingTombstonesRaisesTheHorizonAndExpiresOlderCursors() {
        Cursor beforeAll = store.cursor();
        scrape(point("gone", 1));
        clock.advance(Duration.ofMinutes(30));
        scrape(point("stays", 1));
        Cursor beforeDeletion = store.cursor();
        clock.advance(Duration.ofMinutes(31));
        store.gc();
        Cursor afterDeletion = store.cursor();
        assertThat(changesSince(beforeAll).events()).extracting(Change::id, Change::deleted)
                .containsExactly(tuple("stays", false), tuple("gone", true));
        clock.advance(Duration.ofMinutes(10));
        assertThat(store.gc().trimmedTombstones()).isEqualTo(1);
        assertThatThrownBy(() -> changesSince(beforeAll)).isInstanceOf(StoreException.CursorExpired.class);
        assertThatThrownBy(() -> changesSince(beforeDeletion)).isInstanceOf(StoreException.CursorExpired.class);
        assertThat(changesSince(afterDeletion).events()).isEmpty();
    }

    @Test
    void aTombstoneIsKeptForItsRetention() {
        Cursor before = store.cursor();
        scrape(point("gone", 1));
        clock.advance(Duration.ofHours(1));
        store.gc();
        clock.advance(Duration.ofMinutes(10).minusMillis(1));
        assertThat(store.gc().trimmedTombstones()).isZero();
        assertThat(changesSince(before).events()).containsExactly(Change.deletion("gone"));
    }

    @Test
    void aCursorOfAnotherEpochIsExpired() {
        scrape(point("a", 1));
        Cursor old = store.cursor();
        use();
        scrape(point("a", 1));
        assertThat(store.cursor().epoch()).isNotEqualTo(old.epoch());
        assertThatThrownBy(() -> changesSince(old)).isInstanceOf(StoreException.CursorExpired.class);
        assertThatThrownBy(() -> changesSince(new Cursor(old.epoch(), 0)))
                .isInstanceOf(StoreException.CursorExpired.class);
    }

    @Test
    void aCursorAheadOfTheStoreIsExpired() {
        Cursor now = store.cursor();
        assertThatThrownBy(() -> changesSince(new Cursor(now.epoch(), now.sequence() + 1)))
                .isInstanceOf(StoreException.CursorExpired.class);
    }

    @Test
    void malformedCursorsAndLimitsAreRefused() {
        for (String bad : new String[] {"", "abc", "!!!", "x".repeat(200), java.util.Base64.getUrlEncoder()
                .encodeToString("epoch:-1".getBytes()), java.util.Base64.getUrlEncoder().encodeToString("nocolon".getBytes())}) {
            assertThatThrownBy(() -> store.changes(bad, null)).as(bad)
                    .isInstanceOfAny(StoreException.MalformedCursor.class, StoreException.Validation.class);
        }
        String cursor = store.cursor().encode();
        for (String bad : new String[] {"0", "-1", "10001", "abc", "1.5", "99999999999"}) {
            assertThat(validationErrors(() -> store.changes(cursor, bad))).as(bad)
                    .extracting(FieldError::field).containsExactly("limit");
        }
        assertThat(validationErrors(() -> store.changes(null, null))).extracting(FieldError::field)
                .containsExactly("since");
        assertThat(store.changes(cursor, "10000").events()).isEmpty();
    }

    @Test
    void cursorsAreOpaqueStringsThatRoundTrip() {
        scrape(point("a", 1));
        Cursor cursor = store.cursor();
        assertThat(cursor.encode()).doesNotContain(cursor.epoch()).matches("[A-Za-z0-9_-]+");
        assertThat(Cursor.decode(cursor.encode())).isEqualTo(cursor);
    }

    // ---- locks

    @Test
    void aFreeLockIsAcquiredWithATokenAndFenceOne() {
        LockGrant grant = store.acquire(LockKind.JOB, "backfill/2026-01-01", Duration.ofSeconds(30), null);
        assertThat(grant.token()).isNotBlank();
        assertThat(grant.fence()).isEqualTo(1);
        assertThat(grant.expiresAt()).isEqualTo(T0.plusSeconds(30));
        assertThat(store.inspect(LockKind.JOB, "backfill/2026-01-01"))
                .contains(new LockState(LockKind.JOB, "backfill/2026-01-01", 1, T0.plusSeconds(30)));
    }

    @Test
    void aHeldLockIsRefusedWithTheHoldersExpiry() {
        store.acquire(LockKind.JOB, "k", Duration.ofSeconds(30), "first");
        clock.advance(Duration.ofSeconds(10));
        assertThatThrownBy(() -> store.acquire(LockKind.JOB, "k", Duration.ofSeconds(5), "second"))
                .isInstanceOfSatisfying(StoreException.LockHeld.class,
                        held -> assertThat(held.expiresAt()).isEqualTo(T0.plusSeconds(30)));
        assertThat(store.inspect(LockKind.JOB, "k").orElseThrow().fence()).isEqualTo(1);
    }

    @Test
    void aRetriedAcquireThatAlreadyWonReportsSuccess() {
        LockGrant first = store.acquire(LockKind.DEDUP, "event-1", Duration.ofSeconds(30), "mine");
        clock.advance(Duration.ofSeconds(1));
        LockGrant retry = store.acquire(LockKind.DEDUP, "event-1", Duration.ofSeconds(30), "mine");
        assertThat(retry.fence()).isEqualTo(first.fence());
        assertThat(retry.token()).isEqualTo("mine");
        assertThat(retry.expiresAt()).isEqualTo(T0.plusSeconds(31));
    }

    @Test
    void anExpiredLockIsFreeAndTheFenceKeepsGrowing() {
        store.acquire(LockKind.JOB, "k", Duration.ofSeconds(30), "a");
        clock.advance(Duration.ofSeconds(30));
        assertThat(store.inspect(LockKind.JOB, "k")).isEmpty();
        assertThat(store.acquire(LockKind.JOB, "k", Duration.ofSeconds(30), "b").fence()).isEqualTo(2);
        store.release(LockKind.JOB, "k", "b");
        assertThat(store.acquire(LockKind.JOB, "k", Duration.ofSeconds(30), "c").fence()).isEqualTo(3);
        store.release(LockKind.JOB, "k", "c");
        clock.advance(Duration.ofHours(5));
        store.gc();
        assertThat(store.acquire(LockKind.JOB, "k", Duration.ofSeconds(30), "d").fence()).isEqualTo(4);
    }

    @Test
    void onlyTheTokenHolderMayExtendOrRelease() {
        store.acquire(LockKind.JOB, "k", Duration.ofSeconds(30), "owner");
        assertThatThrownBy(() -> store.extend(LockKind.JOB, "k", "thief", Duration.ofMinutes(10)))
                .isInstanceOf(StoreException.LockTokenMismatch.class);
        assertThatThrownBy(() -> store.release(LockKind.JOB, "k", "thief"))
                .isInstanceOf(StoreException.LockTokenMismatch.class);
        assertThat(store.inspect(LockKind.JOB, "k").orElseThrow().expiresAt()).isEqualTo(T0.plusSeconds(30));
        clock.advance(Duration.ofSeconds(20));
        LockGrant extended = store.extend(LockKind.JOB, "k", "owner", Duration.ofMinutes(1));
        assertThat(extended.expiresAt()).isEqualTo(T0.plusSeconds(80));
        assertThat(extended.fence()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(30));
        assertThat(store.inspect(LockKind.JOB, "k")).isPresent();
        store.release(LockKind.JOB, "k", "owner");
        assertThat(store.inspect(LockKind.JOB, "k")).isEmpty();
    }

    @Test
    void aLockThatIsNotHeldCannotBeExtendedOrReleased() {
        assertThatThrownBy(() -> store.extend(LockKind.JOB, "k", "t", Duration.ofSeconds(1)))
                .isInstanceOf(StoreException.LockNotHeld.class);
        assertThatThrownBy(() -> store.release(LockKind.JOB, "k", "t")).isInstanceOf(StoreException.LockNotHeld.class);
        store.acquire(LockKind.JOB, "k", Duration.ofSeconds(1), "t");
        clock.advance(Duration.ofSeconds(1));
        assertThatThrownBy(() -> store.extend(LockKind.JOB, "k", "t", Duration.ofSeconds(1)))
                .isInstanceOf(StoreException.LockNotHeld.class);
        assertThatThrownBy(() -> store.release(LockKind.JOB, "k", "t")).isInstanceOf(StoreException.LockNotHeld.class);
    }

    @Test
    void jobAndDedupLocksAreIndependent() {
        LockGrant job = store.acquire(LockKind.JOB, "same", Duration.ofSeconds(30), "a");
        LockGrant dedup = store.acquire(LockKind.DEDUP, "same", Duration.ofSeconds(30), "b");
        assertThat(job.fence()).isEqualTo(1);
        assertThat(dedup.fence()).isEqualTo(1);
        store.release(LockKind.JOB, "same", "a");
        assertThat(store.inspect(LockKind.DEDUP, "same")).isPresent();
    }

    @Test
    void lockKeysAreOneTo256PrintableCharacters() {
        store.acquire(LockKind.JOB, "k".repeat(256), Duration.ofSeconds(1), null);
        store.acquire(LockKind.JOB, "ключ 🔒 with spaces/and:colons", Duration.ofSeconds(1), null);
        store.acquire(LockKind.JOB, "😀".repeat(256), Duration.ofSeconds(1), null);
        for (String bad : new String[] {"", "k".repeat(257), "tab\there", "nl\n", "nul\0", "bidi\u202e"}) {
            assertThat(validationErrors(() -> store.acquire(LockKind.JOB, bad, Duration.ofSeconds(1), null)))
                    .as(bad).extracting(FieldError::field).containsOnly("key");
        }
    }

    @Test
    void hugeTtlsAreRefusedNotOverflowed() {
        assertThat(validationErrors(() -> store.acquire(LockKind.JOB, "k", Duration.ofSeconds(Long.MAX_VALUE), null)))
                .extracting(FieldError::field).containsOnly("ttl");
    }

    @Test
    void loneSurrogatesAreRefusedInLabelValuesAndHelp() {
        assertThat(validationErrors(() -> store.write("leader", "leader_scrape",
                List.of(point("m", Map.of("a", "x\ud800"), 1, null)), Map.of("m", new RawFamily("gauge", "\udc00")))))
                .extracting(FieldError::field).containsExactly("points[0].labels.a", "families.m.help");
    }

    @Test
    void lockTtlsArePositiveAndAtMostTheMaximum() {
        store.acquire(LockKind.JOB, "max", Duration.ofHours(1), null);
        store.acquire(LockKind.JOB, "min", Duration.ofMillis(1), null);
        for (Duration bad : new Duration[] {Duration.ZERO, Duration.ofSeconds(-1), Duration.ofNanos(1),
                Duration.ofHours(1).plusMillis(1)}) {
            assertThat(validationErrors(() -> store.acquire(LockKind.JOB, "k", bad, null)))
                    .as(bad.toString()).extracting(FieldError::field).containsOnly("ttl");
        }
        store.acquire(LockKind.JOB, "k", Duration.ofSeconds(1), "t");
        assertThat(validationErrors(() -> store.extend(LockKind.JOB, "k", "t", Duration.ofDays(1))))
                .extracting(FieldError::field).containsOnly("ttl");
        assertThat(validationErrors(() -> store.acquire(LockKind.JOB, "k", null, null)))
                .extracting(FieldError::field).containsOnly("ttl");
    }

    @Test
    void tokensArePrintableAscii() {
        for (String bad : new String[] {"", "with space", "é", "t".repeat(129)}) {
            assertThat(validationErrors(() -> store.acquire(LockKind.JOB, "k", Duration.ofSeconds(1), bad)))
                    .as(bad).extracting(FieldError::field).containsOnly("token");
        }
        assertThat(validationErrors(() -> store.release(LockKind.JOB, "k", null)))
                .extracting(FieldError::field).containsOnly("Lock-Token");
    }

    @Test
    void theScheduledGcRunsOnTheReplicaHoldingTheGcLockUntilItReleasesIt() {
        assertThat(store.scheduledGc()).isPresent();
        assertThat(store.inspect(LockKind.JOB, MetricStore.GC_LOCK)).isPresent();
        StoreConfig shared = config;
        MetricStore otherReplica = new MetricStore(backend, shared, clock,
                new StoreMetrics(new SimpleMeterRegistry(), backend, clock));
        assertThat(otherReplica.scheduledGc()).as("the lease is held by the first replica").isEmpty();
        assertThat(store.scheduledGc()).as("its holder renews it").isPresent();
        store.releaseGcLock();
        assertThat(otherReplica.scheduledGc()).isPresent();
        store.releaseGcLock();
        assertThat(store.inspect(LockKind.JOB, MetricStore.GC_LOCK)).isPresent();
    }

    @Test
    void theGcPurgesExpiredLocks() {
        store.acquire(LockKind.JOB, "short", Duration.ofSeconds(1), null);
        store.acquire(LockKind.DEDUP, "short", Duration.ofSeconds(1), null);
        store.acquire(LockKind.JOB, "long", Duration.ofMinutes(1), null);
        clock.advance(Duration.ofSeconds(1));
        assertThat(store.gc().expiredLocks()).isEqualTo(2);
        assertThat(store.inspect(LockKind.JOB, "long")).isPresent();
    }

    // ---- the /metrics copy of the state (exposition)

    private FollowerCache followerCache() {
        return new FollowerCache(store, clock, config, new SimpleMeterRegistry());
    }

    private static String render(FollowerCache cache, ExpositionFormat format, boolean timestamps) {
        StringWriter out = new StringWriter();
        try {
            cache.render(out, format, timestamps);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toString();
    }

    private void writeExpositionFixture() {
        Map<String, String> odd = Map.of("code", "200", "path", "/a\"b\\c\nd");
        Map<String, RawFamily> families = new java.util.LinkedHashMap<>();
        families.put("http_requests", new RawFamily("counter", "Requests \\ served\nby code"));
        families.put("latency_seconds", new RawFamily("histogram", "Latency \"quoted\""));
        families.put("rpc_duration_seconds", new RawFamily("summary", "RPC"));
        families.put("temperature", new RawFamily("gauge", "Temp"));
        store.write("leader", "leader_scrape", List.of(
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
                point("big_value", Double.NEGATIVE_INFINITY)), families);
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
        store.write("leader", "leader_scrape", List.of(point("jobs_total", 4), point("jobs", 9),
                        point("sizes_bucket", Map.of("le", "+Inf"), 1, null), point("sizes", 2)),
                Map.of("jobs", new RawFamily("counter", "Jobs"), "sizes", new RawFamily("histogram", "Sizes")));
        FollowerCache cache = followerCache();
        assertThatThrownBy(() -> render(cache, ExpositionFormat.TEXT, false))
                .isInstanceOf(BackendUnavailableException.class);
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
        store.write("leader", "leader_scrape", List.of(), Map.of("jobs", new RawFamily("gauge", "Jobs now")));
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
        scrape(point("stamped", 1, T0.minusMillis(1500)));
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
        scrape(point("a", 1), point("b", 2));
        assertThat(cache.size()).isZero();
        cache.refresh();
        assertThat(render(cache, ExpositionFormat.TEXT, false))
                .isEqualTo("# TYPE a untyped\na 1\n# TYPE b untyped\nb 2\n");
        clock.advance(Duration.ofMinutes(40));
        scrape(point("b", 3));
        store.write("leader", "leader_scrape", List.of(), Map.of("b", new RawFamily("gauge", "B")));
        clock.advance(Duration.ofMinutes(20));
        assertThat(render(cache, ExpositionFormat.TEXT, false)).as("the copy's points expired; not yet refreshed")
                .isEmpty();
        store.gc();
        cache.refresh();
        assertThat(cache.size()).isEqualTo(1);
        assertThat(render(cache, ExpositionFormat.TEXT, false)).isEqualTo("# HELP b B\n# TYPE b gauge\nb 3\n");
        clock.advance(Duration.ofSeconds(5).plusMillis(1));
        assertThat(cache.fresh()).as("not refreshed for five intervals").isFalse();
    }

    @Test
    void anExpiredCursorMakesTheCopyTakeANewSnapshot() {
        FollowerCache cache = followerCache();
        scrape(point("gone", 1), point("kept", 1, T0.plusSeconds(30)));
        cache.refresh();
        clock.advance(Duration.ofHours(1));
        scrape(point("fresh", 1));
        store.gc();
        clock.advance(Duration.ofMinutes(11));
        store.gc();
        assertThatThrownBy(() -> changesSince(new Cursor(store.cursor().epoch(), 0)))
                .isInstanceOf(StoreException.CursorExpired.class);
        cache.refresh();
        assertThat(render(cache, ExpositionFormat.TEXT, false)).isEqualTo("# TYPE fresh untyped\nfresh 1\n");
    }

    // ---- concurrency

    @Test
    void manyCallersRaceForOneLockAndExactlyOneWins() throws Exception {
        int callers = 32;
        List<Callable<LockGrant>> attempts = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        for (int i = 0; i < callers; i++) {
            String token = "caller-" + i;
            attempts.add(() -> {
                start.await();
                try {
                    return store.acquire(LockKind.JOB, "contended", Duration.ofMinutes(1), token);
                } catch (StoreException.LockHeld held) {
                    return null;
                }
            });
        }
        List<LockGrant> winners = run(attempts, start);
        assertThat(winners).filteredOn(java.util.Objects::nonNull).singleElement()
                .satisfies(grant -> assertThat(grant.fence()).isEqualTo(1));
    }

    @Test
    void concurrentWritersLoseNothing() throws Exception {
        use("store.max-series", "10000");
        int writers = 8;
        int batches = 25;
        CountDownLatch start = new CountDownLatch(1);
        List<Callable<Integer>> jobs = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            jobs.add(() -> {
                start.await();
                int applied = 0;
                for (int b = 0; b < batches; b++) {
                    List<RawPoint> points = new ArrayList<>();
                    for (int p = 0; p < 20; p++) {
                        points.add(point("own", Map.of("writer", "w" + writer, "p", Integer.toString(p)), b, null));
                    }
                    // Every writer also bumps one shared series with a strictly increasing time.
                    points.add(point("shared", Map.of("writer", "w" + writer), b,
                            T0.minusSeconds(batches).plusSeconds(b)));
                    applied += store.write("follower", "worker_backfill", points).applied();
                }
                return applied;
            });
        }
        Cursor start0 = store.cursor();
        int applied = run(jobs, start).stream().mapToInt(Integer::intValue).sum();
        Map<String, Series> live = live();
        assertThat(live).hasSize(writers * 21);
        assertThat(live.values()).filteredOn(s -> s.point().name().equals("shared"))
                .allSatisfy(s -> assertThat(s.point().value()).isEqualTo(batches - 1));
        assertThat(store.cursor().sequence() - start0.sequence()).isEqualTo(applied);
        Set<String> changed = new HashSet<>();
        Cursor cursor = start0;
        Delta page;
        do {
            page = store.changes(cursor.encode(), "37");
            page.events().forEach(e -> assertThat(changed.add(e.id())).as("once: %s", e.id()).isTrue());
            cursor = page.cursor();
        } while (page.more());
        assertThat(changed).isEqualTo(live.keySet());
    }

    private <T> List<T> run(List<Callable<T>> jobs, CountDownLatch start) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(jobs.size());
        pools.add(pool);
        List<Future<T>> futures = new ArrayList<>();
        for (Callable<T> job : jobs) {
            futures.add(pool.submit(job));
        }
        start.countDown();
        List<T> results = new ArrayList<>();
        for (Future<T> future : futures) {
            results.add(future.get(60, TimeUnit.SECONDS));
        }
        return results;
    }
}
