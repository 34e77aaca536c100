package io.metricstore.store;

import static io.metricstore.store.TestStore.point;
import static io.metricstore.store.TestStore.string;
import static io.metricstore.store.model.RuntimeRole.FOLLOWER;
import static io.metricstore.store.model.RuntimeRole.LEADER;
import static io.metricstore.store.model.WriteSource.LEADER_SCRAPE;
import static io.metricstore.store.model.WriteSource.WORKER_BACKFILL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.metricstore.store.model.Change;
import io.metricstore.store.model.Cursor;
import io.metricstore.store.model.Delta;
import io.metricstore.store.model.Family;
import io.metricstore.store.model.MetricType;
import io.metricstore.store.model.Series;
import io.metricstore.store.model.WriteResult;
import io.metricstore.store.model.WriteSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * Writing, on any backend (SPEC §2): precedence between updates of one series, the series cap, the family
 * descriptions a backend keeps, an empty batch, and writers racing each other.
 */
public abstract class WriteContract extends BackendContract {

    // ---- an empty batch

    @Test
    void anEmptyBatchDoesNothing() {
        WriteResult result = scrape();
        assertThat(result).isEqualTo(new WriteResult(0, 0, 0, store.cursor()));
    }

    // ---- families

    @Test
    void familiesAreDescribedAndLiveAsLongAsASeriesWrittenThen() {
        Map<String, RawFamily> families = new LinkedHashMap<>();
        families.put("http_requests", new RawFamily("counter", "Requests \\ served\nby code"));
        families.put("queue_depth", new RawFamily(null, null));
        store.write(new WriteBatch(LEADER, LEADER_SCRAPE, List.of(point("http_requests_total", 1)), families));
        assertThat(store.families()).containsExactly(
                new Family("http_requests", MetricType.COUNTER, "Requests \\ served\nby code"),
                new Family("queue_depth", MetricType.UNTYPED, ""));
        clock.advance(Duration.ofMinutes(30));
        store.write(new WriteBatch(FOLLOWER, WORKER_BACKFILL, List.of(),
                Map.of("queue_depth", new RawFamily("gauge", "Depth"))));
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
    void aBatchRefusedByTheCapRecordsNoFamily() {
        use("store.max-series", "1");
        scrape(point("a", 1));
        assertThatThrownBy(() -> store.write(new WriteBatch(LEADER, LEADER_SCRAPE, List.of(point("b", 1)),
                Map.of("b", new RawFamily("gauge", "B"))))).isInstanceOf(StoreException.SeriesLimitExceeded.class);
        assertThat(store.families()).isEmpty();
    }

    /**
     * Described families are capped like series (SPEC §6): a batch that would describe more live families than
     * {@code store.limits.max-families} is refused whole, points included; re-describing a live family never counts,
     * and an expired description frees its place even before the GC.
     */
    @Test
    void aBatchDescribingMoreLiveFamiliesThanTheCapIsRefusedWhole() {
        use("store.limits.max-families", "2");
        store.write(new WriteBatch(LEADER, LEADER_SCRAPE, List.of(point("a", 1)),
                Map.of("a", new RawFamily("gauge", "A"), "b", new RawFamily("gauge", "B"))));
        assertThatThrownBy(() -> store.write(new WriteBatch(LEADER, LEADER_SCRAPE, List.of(point("c", 1)),
                Map.of("c", new RawFamily("gauge", "C")))))
                .isInstanceOfSatisfying(StoreException.FamilyLimitExceeded.class, refused -> {
                    assertThat(refused.kind()).isEqualTo(StoreException.Kind.FAMILY_LIMIT_EXCEEDED);
                    assertThat(refused.getMessage()).contains("store.limits.max-families (2)");
                });
        assertThat(live()).doesNotContainKey("c");
        assertThat(store.families()).extracting(Family::name).containsExactly("a", "b");
        clock.advance(Duration.ofMinutes(30));
        assertThat(store.write(new WriteBatch(LEADER, LEADER_SCRAPE, List.of(point("a", 2)),
                Map.of("a", new RawFamily("counter", "A again"), "b", new RawFamily("gauge", "B")))).applied())
                .as("re-describing live families").isEqualTo(1);
        clock.advance(Duration.ofMinutes(30));
        store.write(new WriteBatch(LEADER, LEADER_SCRAPE, List.of(), Map.of("a", new RawFamily("gauge", "A"))));
        clock.advance(Duration.ofMinutes(31));
        assertThat(store.families()).extracting(Family::name).containsExactly("a");
        store.write(new WriteBatch(LEADER, LEADER_SCRAPE, List.of(), Map.of("c", new RawFamily("gauge", "C"))));
        assertThat(store.families()).extracting(Family::name).containsExactly("a", "c");
    }

    // ---- precedence

    @Test
    void aNewerUpdateWinsAndAnOlderOneIsStale() {
        scrape(point("m", 1, t0.minusSeconds(10)));
        assertThat(scrape(point("m", 2, t0.minusSeconds(5))).applied()).isEqualTo(1);
        WriteResult older = scrape(point("m", 3, t0.minusSeconds(7)));
        assertThat(older.stale()).isEqualTo(1);
        assertThat(older.applied()).isZero();
        assertThat(valueOf("m")).isEqualTo(2);
    }

    @Test
    void onAnEqualTimeAScrapeBeatsABackfill() {
        Instant at = t0.minusSeconds(10);
        backfill(point("m", 1, at));
        assertThat(scrape(point("m", 2, at)).applied()).isEqualTo(1);
        assertThat(backfill(point("m", 3, at)).stale()).isEqualTo(1);
        assertThat(valueOf("m")).isEqualTo(2);
        assertThat(live().get("m").source()).isEqualTo(WriteSource.LEADER_SCRAPE);
    }

    @Test
    void aLateBackfillNeverOverwritesAFresherScrape() {
        scrape(point("m", 10, t0));
        assertThat(backfill(point("m", 5, t0.minusSeconds(30))).stale()).isEqualTo(1);
        assertThat(valueOf("m")).isEqualTo(10);
        assertThat(backfill(point("m", 11, t0.plusMillis(1))).applied()).isEqualTo(1);
        assertThat(live().get("m").source()).isEqualTo(WriteSource.WORKER_BACKFILL);
    }

    @Test
    void anIdenticalReplayIsUnchangedAndDoesNotMoveTheCursor() {
        Instant at = t0.minusSeconds(1);
        Cursor after = scrape(point("m", Map.of("a", "1"), Double.NaN, at)).cursor();
        WriteResult replay = scrape(point("m", Map.of("a", "1"), Double.NaN, at));
        assertThat(replay.unchanged()).isEqualTo(1);
        assertThat(replay.cursor()).isEqualTo(after);
        assertThat(store.cursor()).isEqualTo(after);
        assertThat(changesSince(after).events()).isEmpty();
    }

    @Test
    void aCorrectionWithTheSameTimeAndSourceIsApplied() {
        Instant at = t0.minusSeconds(1);
        backfill(point("m", 1, at));
        assertThat(backfill(point("m", 2, at)).applied()).isEqualTo(1);
        assertThat(valueOf("m")).isEqualTo(2);
    }

    @Test
    void pointsOfOneBatchApplyInOrder() {
        WriteResult result = scrape(point("m", 1, t0.minusSeconds(3)), point("m", 2, t0.minusSeconds(1)),
                point("m", 3, t0.minusSeconds(2)), point("m", 2, t0.minusSeconds(1)));
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
        assertThatThrownBy(() -> scrape(point("a", 2, t0.plusMillis(1)), point("c", 1), point("d", 1)))
                .isInstanceOf(StoreException.SeriesLimitExceeded.class);
        assertThat(live()).containsOnlyKeys("a", "b");
        assertThat(valueOf("a")).isEqualTo(1);
        assertThat(store.cursor()).isEqualTo(before);
        assertThat(scrape(point("c", 1), point("c", 2, t0.plusMillis(1))).applied()).isEqualTo(2);
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

    // ---- what a backend keeps

    /**
     * The validation rules and the id's form are tested once ({@code PointValidatorTest}, {@code SeriesIdTest});
     * this is that each backend gives back exactly what they accept: special and extreme values, an id with escaped
     * characters and its labels, a time to the millisecond, in a snapshot and in the change feed.
     */
    @Test
    void valuesIdsAndTimesAreReadBackAsWritten() {
        Map<String, String> odd = Map.of("path", "C:\\dir \"x\"\nnext");
        Instant at = t0.minusSeconds(1).plusMillis(999);
        Cursor before = store.cursor();
        scrape(new RawPoint("nan", null, string("NaN"), null),
                new RawPoint("pinf", null, string("+Inf"), null),
                new RawPoint("ninf", null, string("-Inf"), null),
                new RawPoint("big", null, new RawPoint.RawValue("1.7976931348623157e308", false), null),
                new RawPoint("neg", null, new RawPoint.RawValue("-12.5e-3", false), null),
                point("weird", odd, 2, at));
        assertThat(valueOf("nan")).isNaN();
        assertThat(valueOf("pinf")).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(valueOf("ninf")).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(valueOf("big")).isEqualTo(Double.MAX_VALUE);
        assertThat(valueOf("neg")).isEqualTo(-0.0125);
        Series weird = live().get("weird{path=\"C:\\\\dir \\\"x\\\"\\nnext\"}");
        assertThat(weird).isNotNull();
        assertThat(weird.point().labels()).isEqualTo(odd);
        assertThat(weird.point().updatedAt()).isEqualTo(at);
        assertThat(changesSince(before).events()).extracting(Change::series)
                .containsExactlyInAnyOrderElementsOf(live().values());
    }

    // ---- concurrency

    /**
     * Large batches near the cap, at once: each is applied whole or refused whole, and together they never exceed
     * the cap (SPEC §5: batches are atomic up to {@code store.max-batch}).
     */
    @Test
    void concurrentLargeBatchesNeverExceedTheCapTogether() throws Exception {
        use("store.max-series", "5000", "store.max-batch", "10000");
        int writers = 4;
        int size = 2000;
        CountDownLatch start = new CountDownLatch(1);
        List<Callable<Boolean>> jobs = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            String name = "big_" + w;
            jobs.add(() -> {
                List<RawPoint> points = new ArrayList<>(size);
                for (int p = 0; p < size; p++) {
                    points.add(point(name, Map.of("p", Integer.toString(p)), 1, null));
                }
                start.await();
                try {
                    return scrape(points.toArray(RawPoint[]::new)).applied() == size;
                } catch (StoreException.SeriesLimitExceeded refused) {
                    return false;
                }
            });
        }
        List<Boolean> applied = run(jobs, start);
        assertThat(applied).filteredOn(whole -> whole).hasSize(2);
        Map<String, Series> live = live();
        assertThat(live).hasSize(2 * size);
        assertThat(live.values().stream().map(series -> series.point().name()).distinct()).hasSize(2);
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
                            t0.minusSeconds(batches).plusSeconds(b)));
                    applied += store.write(new WriteBatch(FOLLOWER, WORKER_BACKFILL, points)).applied();
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
            page = store.changes(cursor, 37);
            page.events().forEach(e -> assertThat(changed.add(e.id())).as("once: %s", e.id()).isTrue());
            cursor = page.cursor();
        } while (page.more());
        assertThat(changed).isEqualTo(live.keySet());
    }

}
