package io.metricstore.store;

import static io.metricstore.store.TestStore.point;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.metricstore.store.model.Change;
import io.metricstore.store.model.Cursor;
import io.metricstore.store.model.Delta;
import io.metricstore.store.model.Series;
import io.metricstore.store.model.SnapshotPage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A snapshot page by page, on any backend (SPEC §6): pages in snapshot order that together are the snapshot, the
 * walk's first cursor on every page, a metric name's series alone, changes made during a walk repaired by the feed,
 * and a walk whose cursor the feed no longer serves ended at once. The backends agree on the order to the last code
 * point.
 */
public abstract class SnapshotPageContract extends BackendContract {

    /** Every page of a walk, first to last. */
    protected List<SnapshotPage> walk(Optional<String> name, int limit) {
        List<SnapshotPage> pages = new ArrayList<>();
        SnapshotPage page = store.snapshotPage(name, Optional.empty(), limit);
        pages.add(page);
        while (page.next().isPresent()) {
            page = store.snapshotPage(name, Optional.of(new SnapshotPage.After(page.cursor(), page.next().get())),
                    limit);
            pages.add(page);
        }
        return pages;
    }

    protected static List<String> ids(List<SnapshotPage> pages) {
        return pages.stream().flatMap(page -> page.series().stream()).map(Series::id).toList();
    }

    private void writeSeries(int count) {
        List<RawPoint> points = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            points.add(point(i % 3 == 0 ? "m" : "m_" + (i % 3), Map.of("i", Integer.toString(i)), i, null));
        }
        scrape(points.toArray(RawPoint[]::new));
    }

    @Test
    void pagesTogetherAreTheSnapshotEachWithTheFirstCursor() {
        writeSeries(23);
        List<SnapshotPage> pages = walk(Optional.empty(), 4);
        assertThat(pages).hasSize(6);
        assertThat(pages).allSatisfy(page -> assertThat(page.cursor()).isEqualTo(pages.get(0).cursor()));
        assertThat(pages.subList(0, 5)).allSatisfy(page -> assertThat(page.series()).hasSize(4));
        assertThat(pages.get(5).series()).hasSize(3);
        assertThat(ids(pages)).containsExactlyElementsOf(store.snapshot(Optional.empty()).series().stream()
                .map(Series::id).toList());
        assertThat(pages.get(0).cursor()).isEqualTo(store.cursor());
    }

    @Test
    void aFullLastPageHasNoNext() {
        writeSeries(8);
        List<SnapshotPage> pages = walk(Optional.empty(), 4);
        assertThat(pages).hasSize(2);
        assertThat(pages.get(1).series()).hasSize(4);
        assertThat(pages.get(1).next()).isEmpty();
        assertThat(walk(Optional.of("nothing_here"), 4)).singleElement()
                .satisfies(page -> assertThat(page.series()).isEmpty())
                .satisfies(page -> assertThat(page.next()).isEmpty());
    }

    @Test
    void aNamesPagesHoldOnlyItsSeries() {
        scrape(point("a", 1), point("a", Map.of("k", "1"), 1, null), point("a", Map.of("k", "2"), 1, null),
                point("a_b", 1), point("ab", 1), point("a:", 1), point("A", 1), point("b", 1));
        assertThat(ids(walk(Optional.of("a"), 1))).containsExactly("a", "a{k=\"1\"}", "a{k=\"2\"}");
        assertThat(ids(walk(Optional.of("a"), 2))).containsExactly("a", "a{k=\"1\"}", "a{k=\"2\"}");
        assertThat(ids(walk(Optional.of("ab"), 5))).containsExactly("ab");
        assertThat(ids(walk(Optional.empty(), 3))).containsExactly("A", "a", "a{k=\"1\"}", "a{k=\"2\"}", "a:", "a_b",
                "ab", "b");
    }

    @Test
    void expiredSeriesAreLeftOutOfPagesBeforeTheGcRemovesThem() {
        scrape(point("m", Map.of("i", "0"), 0, t0.minus(Duration.ofMinutes(59))),
                point("m", Map.of("i", "1"), 1, t0.minus(Duration.ofMinutes(59))));
        scrape(point("m", Map.of("i", "2"), 2, null), point("m", Map.of("i", "3"), 3, null));
        clock.advance(Duration.ofMinutes(2));
        List<SnapshotPage> pages = walk(Optional.of("m"), 1);
        assertThat(ids(pages)).containsExactly("m{i=\"2\"}", "m{i=\"3\"}");
        assertThat(pages).hasSize(2);
    }

    @Test
    void theFeedFromTheFirstCursorRepairsChangesMadeDuringAWalk() {
        scrape(point("b", 1, t0.minus(Duration.ofMinutes(59))));
        clock.advance(Duration.ofSeconds(1));
        scrape(point("c", 1), point("d", 1), point("e", 1), point("f", 1));
        SnapshotPage first = store.snapshotPage(Optional.empty(), Optional.empty(), 2);
        Map<String, Series> copy = new LinkedHashMap<>();
        first.series().forEach(series -> copy.put(series.id(), series));
        assertThat(copy).containsOnlyKeys("b", "c");

        // Behind the walk's position: a new series it will miss, an update of a listed one; ahead: an update, and a
        // new series it will list. Then b expires and the GC deletes it.
        clock.advance(Duration.ofMinutes(1));
        scrape(point("a", 2), point("c", 2), point("e", 2), point("g", 2));
        assertThat(store.gc().expiredSeries()).isEqualTo(1);

        List<SnapshotPage> rest = new ArrayList<>();
        SnapshotPage page = first;
        while (page.next().isPresent()) {
            page = store.snapshotPage(Optional.empty(), Optional.of(new SnapshotPage.After(first.cursor(),
                    page.next().get())), 2);
            rest.add(page);
        }
        rest.forEach(later -> later.series().forEach(series -> copy.put(series.id(), series)));
        assertThat(copy).containsOnlyKeys("b", "c", "d", "e", "f", "g");
        assertThat(copy.get("e").point().value()).isEqualTo(2);

        Delta delta = changesSince(first.cursor());
        for (Change change : delta.events()) {
            if (change.deleted()) {
                copy.remove(change.id());
            } else {
                copy.put(change.id(), change.series());
            }
        }
        assertThat(new ArrayList<>(copy.values())).containsExactlyInAnyOrderElementsOf(live().values());
    }

    @Test
    void aWalkWhoseCursorIsOfAnotherEpochEndsExpired() {
        writeSeries(5);
        SnapshotPage first = store.snapshotPage(Optional.empty(), Optional.empty(), 2);
        Cursor foreign = new Cursor("another-epoch", first.cursor().sequence());
        assertThatThrownBy(() -> store.snapshotPage(Optional.empty(),
                Optional.of(new SnapshotPage.After(foreign, first.next().orElseThrow())), 2))
                .isInstanceOf(StoreException.CursorExpired.class);
    }

    @Test
    void aWalkWhoseCursorFellBelowTheHorizonEndsExpired() {
        scrape(point("a", 1, t0.minus(Duration.ofMinutes(59))), point("b", 1), point("c", 1));
        SnapshotPage first = store.snapshotPage(Optional.empty(), Optional.empty(), 1);
        clock.advance(Duration.ofMinutes(2));
        assertThat(store.gc().expiredSeries()).isEqualTo(1);
        clock.advance(config.changes().tombstoneRetention());
        assertThat(store.gc().trimmedTombstones()).isEqualTo(1);
        assertThatThrownBy(() -> store.snapshotPage(Optional.empty(),
                Optional.of(new SnapshotPage.After(first.cursor(), first.next().orElseThrow())), 1))
                .isInstanceOf(StoreException.CursorExpired.class);
    }

    /**
     * Both backends list in code point order (Redis compares bytes of UTF-8): a character above U+FFFF after
     * U+E000..U+FFFF, U+0000 and U+0001 in a value below every other character, a shorter value first.
     */
    @Test
    void pagesFollowCodePointOrder() {
        List<String> values = List.of("x", "x\u0000", "x\u0000y", "x\u0001", "x\u0002", "x\u00e9", "x\ud7ff",
                "x\ue000", "x\ufffd", "x\uffff", "x\ud83d\ude00", "x\ud83d\ude00\u0000", "y");
        List<RawPoint> points = new ArrayList<>();
        for (int i = values.size() - 1; i >= 0; i--) {
            points.add(point("o", Map.of("v", values.get(i)), i, null));
        }
        scrape(points.toArray(RawPoint[]::new));
        for (int limit : new int[] {1, 2, 5, 100}) {
            List<Series> listed = walk(Optional.of("o"), limit).stream().flatMap(page -> page.series().stream())
                    .toList();
            assertThat(listed).extracting(series -> series.point().labels().get("v"))
                    .as("limit %d", limit).containsExactlyElementsOf(values);
        }
        assertThat(store.snapshot(Optional.of("o")).series()).extracting(series -> series.point().labels().get("v"))
                .containsExactlyElementsOf(values);
    }

    @Test
    void aLimitOutOfRangeIsRefused() {
        for (int limit : new int[] {0, -1, config.limits().maxSeriesPageSize() + 1}) {
            assertThatThrownBy(() -> store.snapshotPage(Optional.empty(), Optional.empty(), limit))
                    .isInstanceOf(StoreException.Validation.class);
        }
    }
}
