package io.metricstore.store;

import static io.metricstore.store.TestStore.point;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.metricstore.store.model.Change;
import io.metricstore.store.model.Cursor;
import io.metricstore.store.model.Delta;
import io.metricstore.store.model.GcReport;
import io.metricstore.store.model.Series;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Expiry, on any backend (SPEC §2): a series lives for the retention after its last update and is then deleted for
 * followers whether or not the GC has run; the GC records the deletion as a tombstone and trims tombstones after
 * their own retention, expiring the cursors from before.
 */
public abstract class RetentionContract extends BackendContract {

    // ---- series

    @Test
    void aSeriesExpiresAfterTheRetentionAndTheGcRecordsItsDeletion() {
        scrape(point("old", 1), point("young", 1, t0.plusSeconds(60)));
        Cursor before = store.cursor();
        clock.advance(Duration.ofHours(1));
        assertThat(live()).containsOnlyKeys("young");
        GcReport report = store.gc();
        assertThat(report.expiredSeries()).isEqualTo(1);
        Delta delta = changesSince(before);
        assertThat(delta.events()).extracting(Change::id, Change::deleted).containsExactly(tuple("old", true));
        assertThat(store.gc().expiredSeries()).isZero();
        clock.advance(Duration.ofMinutes(1));
        assertThat(store.gc().expiredSeries()).isEqualTo(1);
        assertThat(live()).isEmpty();
    }

    @Test
    void anExpiredSeriesIsDeletedForFollowersBeforeTheGcRuns() {
        Cursor before = store.cursor();
        scrape(point("m", 1), point("young", 1, t0.plusSeconds(1)));
        clock.advance(Duration.ofHours(1));
        assertThat(changesSince(before).events()).extracting(Change::id, Change::deleted, Change::series)
                .containsExactly(tuple("m", true, null), tuple("young", false, live().get("young")));
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
    void liveSeriesExcludeExpiredOnes() {
        scrape(point("old", 1), point("new", 1, t0.plusSeconds(10)));
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
        Delta page = store.changes(before, 10000);
        assertThat(page.events()).hasSize(2500);
        assertThat(page.more()).isFalse();
        clock.advance(Duration.ofHours(1));
        assertThat(store.gc().expiredSeries()).isEqualTo(2500);
        assertThat(store.changes(page.cursor(), 10000).events()).hasSize(2500)
                .allMatch(Change::deleted);
        clock.advance(Duration.ofMinutes(10));
        assertThat(store.gc().trimmedTombstones()).isEqualTo(2500);
    }

    // ---- tombstones

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
        assertThat(changesSince(before).events()).extracting(Change::id, Change::deleted)
                .containsExactly(tuple("gone", true));
    }

}
