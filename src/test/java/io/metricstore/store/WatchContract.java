package io.metricstore.store;

import static io.metricstore.store.TestStore.point;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.metricstore.store.model.Change;
import io.metricstore.store.model.Cursor;
import io.metricstore.store.model.Family;
import io.metricstore.store.model.RuntimeRole;
import io.metricstore.store.model.WriteSource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The change signals of {@link StoreBackend#watch}, on any backend (SPEC §3, Watch): a write or a GC that changed
 * the state signals the cursor after it, once the change can be read; a write of only family descriptions signals
 * the cursor as it was; a batch that changed nothing signals nothing.
 *
 * <p>Every test first makes two writes, each after the signal of the one before, so that whatever a backend signals
 * while it starts watching is behind it: a shared backend reports the cursor it first reads, and a write made while
 * its subscription starts may be reported twice (by the subscription and by the poll that catches up). A backend
 * that may repeat a signal later too says so ({@link #repeatsSignals}); a batch that changed nothing must still
 * signal nothing new.
 */
public abstract class WatchContract extends BackendContract {

    /** How long a signal may take: a shared backend that lost its subscription still polls within this. */
    protected static final Duration SIGNAL_DEADLINE = Duration.ofSeconds(10);

    protected final Signals signals = new Signals(SIGNAL_DEADLINE);
    /** The signal {@link #nextSignal} returned last. */
    private Cursor last;

    /**
     * Whether the backend may repeat a signal (the contract allows it): then {@link #nextSignal} skips a repeat of the
     * signal it returned last. A backend that never repeats one is held to every signal.
     */
    protected boolean repeatsSignals() {
        return false;
    }

    @BeforeEach
    void watching() throws InterruptedException {
        backend.watch(signals);
        signals.await(scrape(point("watch_warm_up", 1)).cursor());
        last = scrape(point("watch_warm_up", 2)).cursor();
        signals.await(last);
        signals.clear();
    }

    @Test
    void aWriteSignalsTheCursorAfterItOnceItCanBeRead() throws InterruptedException {
        Cursor before = store.cursor();
        Cursor written = scrape(point("a", 1), point("b", 2)).cursor();
        assertThat(nextSignal()).isEqualTo(written);
        assertThat(changesSince(before).events()).extracting(Change::id, Change::deleted)
                .containsExactly(tuple("a", false), tuple("b", false));
        assertThat(changesSince(before).cursor()).isEqualTo(written);
    }

    @Test
    void aWriteOfOnlyFamilyDescriptionsSignalsTheCursorAsItWas() throws InterruptedException {
        Cursor before = store.cursor();
        store.write(new WriteBatch(RuntimeRole.LEADER, WriteSource.LEADER_SCRAPE, List.of(),
                Map.of("described", new RawFamily("counter", "Only a description"))));
        assertThat(signals.next()).isEqualTo(before);
        assertThat(store.families()).extracting(Family::name).contains("described");
    }

    @Test
    void aBatchThatChangesNothingSignalsNothing() throws InterruptedException {
        scrape(point("same", 1, t0), point("newer", 2, t0));
        nextSignal();
        Cursor unchanged = scrape(point("same", 1, t0), point("newer", 1, t0.minusSeconds(1))).cursor();
        assertThat(backfill(point("newer", 3, t0.minusSeconds(2))).stale()).isEqualTo(1);
        // Nothing to wait for: the next signal must be the next write's, not one of the batches above.
        Cursor written = scrape(point("other", 1)).cursor();
        assertThat(written.sequence()).isEqualTo(unchanged.sequence() + 1);
        assertThat(nextSignal()).isEqualTo(written);
    }

    @Test
    void aGcThatExpiresSeriesSignalsTheCursorAfterTheDeletions() throws InterruptedException {
        scrape(point("old", 1), point("older", 1));
        nextSignal();
        Cursor before = store.cursor();
        clock.advance(config.retention().plusMinutes(1));
        assertThat(store.gc().expiredSeries()).isEqualTo(3);
        Cursor after = store.cursor();
        assertThat(after.sequence()).isEqualTo(before.sequence() + 3);
        assertThat(nextSignal()).isEqualTo(after);
        assertThat(changesSince(before).events()).extracting(Change::id, Change::deleted).containsExactlyInAnyOrder(
                tuple("old", true), tuple("older", true), tuple("watch_warm_up", true));
    }

    /** The next signal (not a repeat of the last one, see {@link #repeatsSignals}). */
    protected Cursor nextSignal() throws InterruptedException {
        Cursor next;
        do {
            next = signals.next();
        } while (repeatsSignals() && next.equals(last));
        last = next;
        return next;
    }
}
