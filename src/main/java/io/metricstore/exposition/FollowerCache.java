package io.metricstore.exposition;

import io.metricstore.store.BackendUnavailableException;
import io.metricstore.store.MetricStore;
import io.metricstore.store.StoreConfig;
import io.metricstore.store.StoreException;
import io.metricstore.store.model.Change;
import io.metricstore.store.model.Cursor;
import io.metricstore.store.model.Delta;
import io.metricstore.store.model.Family;
import io.metricstore.store.model.MetricPoint;
import io.metricstore.store.model.Series;
import io.metricstore.store.model.Snapshot;
import io.metricstore.store.model.WriteSource;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.metricstore.watch.Coalesced;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executor;
import org.jboss.logging.Logger;

/**
 * This replica's copy of the shared state, for {@code /metrics}: one snapshot, then the change feed, read whenever
 * the backend signals a change on any replica ({@link MetricStore#watch}; one read per burst of signals, see
 * {@link Coalesced}) and at least every {@code store.changes.bookmark-interval} in case a signal was lost; a 410
 * (expired cursor) leads to a new snapshot. Scrapes read only this copy, never the backend, and see the series in
 * exposition order (see {@link FamilyIndex#orderKey}), so rendering is one pass. Both backends go through it, so
 * their output is identical.
 */
@Singleton
public class FollowerCache {

    private static final Logger LOG = Logger.getLogger(FollowerCache.class);
    /** Bookmark intervals without a successful catch-up before readiness reports the copy stale. */
    static final int STALE_AFTER_BOOKMARKS = 3;

    private final MetricStore store;
    private final Clock clock;
    private final Duration refresh;
    private final Duration bookmarkInterval;
    private final long retentionMillis;
    private final Coalesced refresher;
    private volatile State state = new State(new FamilyIndex(List.of()));
    private volatile Cursor cursor;
    private volatile Instant lastRefresh;

    @Inject
    public FollowerCache(MetricStore store, Clock clock, StoreConfig config, MeterRegistry registry) {
        this(store, clock, config, registry, Infrastructure.getDefaultWorkerPool());
    }

    /** {@code workers} run the catch-ups that signals and the schedule request. */
    public FollowerCache(MetricStore store, Clock clock, StoreConfig config, MeterRegistry registry,
                         Executor workers) {
        this.store = store;
        this.clock = clock;
        this.refresh = config.exposition().refresh();
        this.bookmarkInterval = config.changes().bookmarkInterval();
        this.refresher = new Coalesced(workers, this::catchUp);
        this.retentionMillis = config.retention().toMillis();
        Gauge.builder("store_exposition_cache_age_seconds", this,
                        cache -> cache.age().map(age -> age.toMillis() / 1000.0).orElse(Double.NaN))
                .description("Time since this replica's copy of the state last caught up with the change feed")
                .register(registry);
        Gauge.builder("store_exposition_cache_series", this, FollowerCache::size)
                .description("Series in this replica's copy of the state")
                .register(registry);
    }

    /**
     * Every series of the copy with its place in the exposition order (null for a series left out), and the placed
     * ones in that order.
     */
    private record State(FamilyIndex families, ConcurrentHashMap<String, Placed> all,
                         ConcurrentSkipListMap<String, Placed> ordered) {
        State(FamilyIndex families) {
            this(families, new ConcurrentHashMap<>(), new ConcurrentSkipListMap<>());
        }

        void upsert(Series series) {
            Placed known = all.get(series.id());
            if (known != null) {
                // Placement depends only on the name and the family index, so a known series keeps its place.
                known.sample = new Sample(series);
                return;
            }
            Exposed exposed = families.place(series);
            String key = exposed == null ? null : FamilyIndex.orderKey(exposed) + '\u0000' + series.id();
            Placed placed = new Placed(key, exposed, series);
            all.put(series.id(), placed);
            if (key != null) {
                ordered.put(key, placed);
            }
        }

        void delete(String id) {
            Placed previous = all.remove(id);
            if (previous != null && previous.key != null) {
                ordered.remove(previous.key);
            }
        }
    }

    /**
     * A series of the copy: its identity and place in the exposition order from its first version ({@code key} and
     * {@code exposed} null: left out), and its current sample. An update of a known series, by far the most common
     * change, only swaps the sample: no key to build, no skip-list walk, and only a small object to promote.
     */
    private static final class Placed {
        final String key;
        final Exposed exposed;
        final Series first;
        volatile Sample sample;

        Placed(String key, Exposed exposed, Series first) {
            this.key = key;
            this.exposed = exposed;
            this.first = first;
            this.sample = new Sample(first);
        }

        Series current() {
            Sample now = sample;
            MetricPoint identity = first.point();
            return new Series(first.id(), new MetricPoint(identity.name(), identity.labels(), now.value(),
                    Instant.ofEpochMilli(now.updatedAtMillis())), now.source());
        }
    }

    /** One version of a series' sample, swapped as a whole so that a scrape never mixes two versions. */
    private record Sample(double value, long updatedAtMillis, WriteSource source) {
        Sample(Series series) {
            this(series.point().value(), series.point().updatedAt().toEpochMilli(), series.source());
        }
    }

    void onStart(@Observes StartupEvent event) {
        follow();
    }

    /** Starts following the backend's change signals, and catches up once now. */
    public void follow() {
        store.watch(changed -> refresher.request());
        refresher.request();
    }

    /**
     * The bookmark: a catch-up when none succeeded for a bookmark interval, or none ever (retried every
     * {@code store.exposition.refresh} until the first succeeds).
     */
    @Scheduled(identity = "exposition-cache", every = "${store.exposition.refresh}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduledCheck() {
        if (age().map(age -> age.compareTo(bookmarkInterval) >= 0).orElse(true)) {
            refresher.request();
        }
    }

    private void catchUp() {
        try {
            if (!refresh()) {
                refresher.request();
            }
        } catch (RuntimeException unavailable) {
            // The copy stays as it was; readiness reports it stale after a few bookmark intervals.
            LOG.debugf("exposition cache not refreshed: %s", unavailable.getMessage());
        }
    }

    /**
     * Catches up with the shared state: the feed (or a snapshot when there is no valid cursor), then the families,
     * read after the points so that a batch's families are never older than its series. Writers faster than the feed
     * is read keep a page to read forever: after {@code store.exposition.refresh} of pages a catch-up ends where it
     * is (false: not caught up, not fresh), so that its worker thread and its lock are given back, and the next one
     * goes on from there.
     */
    public synchronized boolean refresh() {
        boolean caughtUp = true;
        if (cursor == null) {
            resnapshot();
        } else {
            Instant deadline = clock.instant().plus(refresh);
            try {
                Delta delta;
                do {
                    delta = store.changes(cursor, MetricStore.MAX_CHANGES_LIMIT);
                    for (Change change : delta.events()) {
                        if (change.deleted()) {
                            state.delete(change.id());
                        } else {
                            state.upsert(change.series());
                        }
                    }
                    cursor = delta.cursor();
                    caughtUp = !delta.more();
                } while (!caughtUp && clock.instant().isBefore(deadline));
            } catch (StoreException.CursorExpired expired) {
                resnapshot();
                caughtUp = true;
            }
        }
        List<Family> families = store.families();
        if (!state.families().describes(families)) {
            State replaced = new State(new FamilyIndex(families));
            state.all().values().forEach(placed -> replaced.upsert(placed.current()));
            state = replaced;
        }
        if (caughtUp) {
            lastRefresh = clock.instant();
        }
        return caughtUp;
    }

    private void resnapshot() {
        Snapshot snapshot = store.snapshot(Optional.empty());
        State fresh = new State(state.families());
        snapshot.series().forEach(fresh::upsert);
        state = fresh;
        cursor = snapshot.cursor();
    }

    /**
     * The live series of the copy in exposition order, to be rendered a piece at a time (see {@link #ensureLoaded}).
     * A rendering walks the copy as it changes, as a snapshot would: each series as it is when its piece is rendered.
     */
    public Rendering rendering(ExpositionFormat format, boolean timestamps) {
        ensureLoaded();
        return new Rendering(state.ordered().values().iterator(), format, timestamps, clock.millis());
    }

    /** One exposition, rendered on demand so that a slow client never makes the service hold all of it. */
    public final class Rendering {
        private final Iterator<Placed> series;
        private final StringWriter text = new StringWriter();
        private final ExpositionWriter writer;
        private final long now;
        private boolean finished;

        private Rendering(Iterator<Placed> series, ExpositionFormat format, boolean timestamps, long now) {
            this.series = series;
            this.writer = new ExpositionWriter(text, format, timestamps);
            this.now = now;
        }

        /**
         * The next piece: at least {@code chars} characters unless it is the last, ending with a whole sample line;
         * empty once everything was rendered.
         */
        public String next(int chars) {
            StringBuffer piece = text.getBuffer();
            try {
                while (piece.length() < chars && series.hasNext()) {
                    Placed placed = series.next();
                    Sample sample = placed.sample;
                    // An expired series not yet deleted by the GC is no longer live: leave it out, as a snapshot does.
                    if (sample.updatedAtMillis() + retentionMillis > now) {
                        writer.write(placed.exposed, sample.value(), sample.updatedAtMillis());
                    }
                }
                if (!series.hasNext() && !finished) {
                    finished = true;
                    writer.finish();
                }
            } catch (IOException impossible) {
                // A StringWriter never fails.
                throw new UncheckedIOException(impossible);
            }
            String taken = piece.toString();
            piece.setLength(0);
            return taken;
        }
    }

    /**
     * Refuses (503) a scrape before the copy has caught up once: an empty answer would make Prometheus mark every
     * series of this target stale.
     */
    public void ensureLoaded() {
        if (lastRefresh == null) {
            throw new BackendUnavailableException("this replica has not loaded the shared state yet", null, refresh);
        }
    }

    /** Time since the last successful refresh; empty before the first. */
    public Optional<Duration> age() {
        Instant last = lastRefresh;
        return last == null ? Optional.empty() : Optional.of(Duration.between(last, clock.instant()));
    }

    /** Caught up at least once, and not longer ago than a few bookmark intervals. */
    public boolean fresh() {
        return age().map(age -> age.compareTo(bookmarkInterval.multipliedBy(STALE_AFTER_BOOKMARKS)) <= 0)
                .orElse(false);
    }

    /** Series in the copy (ConcurrentHashMap counts cheaply, unlike the skip list). */
    public int size() {
        return state.all().size();
    }
}
