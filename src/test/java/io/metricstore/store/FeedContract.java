package io.metricstore.store;

import static io.metricstore.store.TestStore.point;
import static io.metricstore.store.model.RuntimeRole.LEADER;
import static io.metricstore.store.model.WriteSource.LEADER_SCRAPE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.metricstore.store.model.Change;
import io.metricstore.store.model.Cursor;
import io.metricstore.store.model.Delta;
import io.metricstore.store.model.GcReport;
import io.metricstore.store.model.Series;
import io.metricstore.store.model.Snapshot;
import io.metricstore.store.model.WriteSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Reading, on any backend (SPEC §2): the snapshot of the live series, and the change feed that follows it from a
 * cursor, compacted, paged and bound to one epoch of the state.
 */
public abstract class FeedContract extends BackendContract {

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
        backfill(point("m", Map.of("k", "v"), 4.5, t0.minusMillis(1500)));
        Series series = store.snapshot(Optional.empty()).series().get(0);
        assertThat(series.point().name()).isEqualTo("m");
        assertThat(series.point().labels()).containsExactly(Map.entry("k", "v"));
        assertThat(series.point().value()).isEqualTo(4.5);
        assertThat(series.point().updatedAt()).isEqualTo(t0.minusMillis(1500));
        assertThat(series.source()).isEqualTo(WriteSource.WORKER_BACKFILL);
    }

    // ---- change feed

    @Test
    void everyAppliedWriteAdvancesTheCursorAndNothingElseDoes() {
        Cursor c0 = store.cursor();
        Cursor c1 = scrape(point("a", 1, t0.minusSeconds(2)), point("b", 1, t0.minusSeconds(2))).cursor();
        assertThat(c1.sequence()).isEqualTo(c0.sequence() + 2);
        Cursor c2 = scrape(point("a", 0, t0.minusSeconds(3)), point("b", 1, t0.minusSeconds(2))).cursor();
        assertThat(c2).isEqualTo(c1);
        assertThat(store.gc()).isEqualTo(new GcReport(0, 0, 0));
        assertThat(store.cursor()).isEqualTo(c1);
    }

    @Test
    void theFeedIsCompactedToTheLatestChangePerSeriesOldestFirst() {
        Cursor start = store.cursor();
        scrape(point("a", 1, t0.minusSeconds(9)));
        scrape(point("b", 1, t0.minusSeconds(9)));
        scrape(point("a", 2, t0.minusSeconds(8)));
        scrape(point("c", 1, t0.minusSeconds(9)));
        scrape(point("a", 3, t0.minusSeconds(7)));
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
        Instant base = t0.minus(Duration.ofMinutes(30));
        // 6,000 changes of 100 series: far more rewrites than series, as a busy exporter makes.
        for (int round = 0; round < 80; round++) {
            List<RawPoint> points = new ArrayList<>();
            for (int i = round < 40 ? 0 : 50; i < 100; i++) {
                points.add(point("m", Map.of("i", String.format("%03d", i)), round, base.plusSeconds(round)));
            }
            assertThat(store.write(new WriteBatch(LEADER, LEADER_SCRAPE, points)).applied()).isEqualTo(points.size());
        }
        Delta all = store.changes(start, 10000);
        assertThat(all.events()).hasSize(100);
        assertThat(all.events().get(0).id()).as("oldest first").isEqualTo("m{i=\"000\"}");
        assertThat(all.events().get(0).series().point().value()).isEqualTo(39);
        assertThat(all.events().get(99).series().point().value()).isEqualTo(79);
        List<String> paged = new ArrayList<>();
        Cursor cursor = start;
        Delta page;
        do {
            page = store.changes(cursor, 7);
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
        assertThat(store.write(new WriteBatch(LEADER, LEADER_SCRAPE, fresh)).applied())
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
            page = store.changes(cursor, 3);
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
        scrape(point("a", 1, t0.minusSeconds(2)), point("b", 1, t0.minusSeconds(2)), point("c", 1, t0.minusSeconds(2)));
        Delta first = store.changes(start, 2);
        assertThat(first.events()).extracting(Change::id).containsExactly("a", "b");
        scrape(point("a", 2, t0.minusSeconds(1)));
        Delta second = store.changes(first.cursor(), 2);
        assertThat(second.events()).extracting(Change::id).containsExactly("c", "a");
        assertThat(second.more()).isFalse();
    }

    // ---- expired cursors

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

}
