package io.metricstore.watch;

import io.metricstore.store.BackendUnavailableException;
import io.metricstore.store.MetricStore;
import io.metricstore.store.StoreConfig;
import io.metricstore.store.StoreException;
import io.metricstore.store.model.Change;
import io.metricstore.store.model.Cursor;
import io.metricstore.store.model.Delta;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * Long-polls and change streams (SPEC §3, Watch) on this replica.
 *
 * <p>A waiter joins the group of waiters at its cursor and page size, then has the group read the feed, so a change
 * that this read misses signals the group afterwards. The group reads on a worker thread, once however many waiters
 * join and however many signals ({@link MetricStore#watch}) beyond its cursor arrive meanwhile ({@link Coalesced});
 * a read with events answers every waiter of the group. A Vert.x timer ends each wait. No waiter holds a thread, and
 * {@code store.changes.max-waiters} bounds how many wait at once ({@link WaitSlots}, shared with {@link LeaseWatch}).
 *
 * <p>A stream is a sequence of such waits, each at most {@code store.changes.bookmark-interval} long (an empty one
 * becomes a bookmark), pulled only when the client has taken what was sent before, so a stream holds at most one page
 * of events however slow its client ({@link io.metricstore.limits.SlowReaders} closes one that stops reading).
 */
@Singleton
public class FeedWatch {

    private static final Logger LOG = Logger.getLogger(FeedWatch.class);
    /** The most events one read of a stream takes from the feed. */
    static final int STREAM_PAGE = MetricStore.DEFAULT_CHANGES_LIMIT;

    private final MetricStore store;
    private final Vertx vertx;
    private final Executor workers;
    private final WaitSlots slots;
    private final Duration bookmarkInterval;
    private final ConcurrentHashMap<Position, Group> groups = new ConcurrentHashMap<>();
    /** Set when this replica starts shutting down: waits end, and no new one starts. */
    private volatile boolean closing;

    @Inject
    public FeedWatch(MetricStore store, Vertx vertx, StoreConfig config, WaitSlots slots) {
        this(store, vertx, config, slots, Infrastructure.getDefaultWorkerPool());
    }

    public FeedWatch(MetricStore store, Vertx vertx, StoreConfig config, WaitSlots slots, Executor workers) {
        this.store = store;
        this.vertx = vertx;
        this.workers = workers;
        this.slots = slots;
        this.bookmarkInterval = config.changes().bookmarkInterval();
        store.watch(this::changed);
    }

    /** Long-polls and streams waiting now, those on leases included: they share the slots. */
    public int waiting() {
        return slots.taken();
    }

    /**
     * The delta after {@code since} as soon as it has an event (every event available then, up to {@code limit}), or
     * after {@code wait} an empty delta at {@code since} itself. Fails with {@link TooManyWaiters} when every slot is
     * taken, and as {@link MetricStore#changes} does.
     */
    public Uni<Delta> changes(Cursor since, int limit, Duration wait) {
        return Uni.createFrom().emitter(emitter -> {
            admit();
            new Waiter(new Position(since, limit), emitter, true).start(wait);
        });
    }

    /**
     * Opens a stream at {@code since}. It is refused here, before any event is sent, when every slot is taken and when
     * the backend does not answer (a client learns an outage from the 503, not from an empty stream); it takes its
     * slot when its events are subscribed to (a client that leaves before that holds none) and frees it when it ends.
     *
     * @throws TooManyWaiters when every slot is taken
     * @throws BackendUnavailableException when this replica shuts down or the backend does not answer
     */
    public ChangeStream open(Cursor since) {
        refuseWhenClosing();
        slots.requireFree();
        store.cursor();
        return new ChangeStream(since);
    }

    private void admit() {
        refuseWhenClosing();
        slots.take();
    }

    private void refuseWhenClosing() {
        if (closing) {
            throw new BackendUnavailableException("this replica is shutting down: long-polls and streams are served "
                    + "by the other replicas", null, Duration.ofSeconds(1));
        }
    }

    /**
     * When shutdown begins (readiness turns DOWN, and the replica still serves for {@code quarkus.shutdown.delay}),
     * every wait ends at once and streams end after a last bookmark, so that their clients go to another replica
     * instead of holding this one's shutdown up to {@code quarkus.shutdown.timeout}.
     */
    void onShutdown(@Observes ShutdownDelayInitiatedEvent event) {
        close();
    }

    /** Ends every wait (an empty answer at its cursor) and every stream; new ones are refused (503). */
    public void close() {
        closing = true;
        groups.values().forEach(group -> group.waiters.forEach(
                waiter -> waiter.settle(new Delta(waiter.at.since(), List.of(), false), null)));
    }

    /** A signal from the backend: every group whose cursor it passed reads the feed. */
    private void changed(Cursor now) {
        groups.forEach((at, group) -> {
            if (!at.since().epoch().equals(now.epoch()) || at.since().sequence() < now.sequence()) {
                group.reader.request();
            }
        });
    }

    /** Where a waiter waits: its cursor and page size (waiters at the same position share their reads). */
    private record Position(Cursor since, int limit) {
    }

    /** The waiters at one position, and their shared read of the feed. */
    private final class Group {
        final Position at;
        final Set<Waiter> waiters = ConcurrentHashMap.newKeySet();
        final Coalesced reader;

        Group(Position at) {
            this.at = at;
            this.reader = new Coalesced(workers, this::read);
        }

        /**
         * One read for every waiter of the group. Events answer them all (those that joined during the read too: the
         * events are after their cursor). A waiter's first read is the group's: a read that fails fails the waiters
         * that no read has checked yet, as a plain {@code GET /changes} would, and the others wait on.
         */
        private void read() {
            if (waiters.isEmpty()) {
                return;
            }
            List<Waiter> present = new ArrayList<>(waiters);
            Delta delta;
            try {
                delta = store.changes(at.since(), at.limit());
            } catch (StoreException.CursorExpired expired) {
                waiters.forEach(waiter -> waiter.settle(null, expired));
                return;
            } catch (RuntimeException unavailable) {
                present.stream().filter(waiter -> !waiter.checked).forEach(waiter -> waiter.settle(null, unavailable));
                return;
            }
            if (delta.events().isEmpty()) {
                present.forEach(waiter -> waiter.checked = true);
            } else {
                waiters.forEach(waiter -> waiter.settle(delta, null));
            }
        }
    }

    /** One wait: answered once, by a read with events, by the end of the wait, by a failure, or cancelled. */
    private final class Waiter extends Waiting<Delta> {
        final Position at;
        final boolean holdsSlot;
        /** Whether a read of its group found nothing for it yet (after that, a failed read lets it wait on). */
        volatile boolean checked;

        Waiter(Position at, UniEmitter<? super Delta> emitter, boolean holdsSlot) {
            super(vertx, emitter);
            this.at = at;
            this.holdsSlot = holdsSlot;
        }

        /**
         * Joins the group, then has it read: many waiters arriving at one cursor (a fleet of followers after a
         * change) cost a read or two, not one blocking read each.
         */
        void start(Duration wait) {
            emitter.onTermination(this::cancel);
            Group group = groups.compute(at, (position, existing) -> {
                Group joined = existing == null ? new Group(position) : existing;
                joined.waiters.add(this);
                return joined;
            });
            if (settled.get()) {
                // Cancelled before it joined: its leave() found nothing to remove.
                removeFromGroup();
                return;
            }
            timer = vertx.setTimer(Math.max(1, wait.toMillis()),
                    id -> settle(new Delta(at.since(), List.of(), false), null));
            if (settled.get()) {
                // A group read answered it between joining and now, before there was a timer to cancel.
                vertx.cancelTimer(timer);
                return;
            }
            if (closing) {
                settle(new Delta(at.since(), List.of(), false), null);
                return;
            }
            group.reader.request();
        }

        private void removeFromGroup() {
            groups.computeIfPresent(at, (position, group) -> {
                group.waiters.remove(this);
                return group.waiters.isEmpty() ? null : group;
            });
        }

        @Override
        void left() {
            removeFromGroup();
            if (holdsSlot) {
                slots.free();
            }
        }
    }

    /** A wait that holds no slot of its own (a stream's, which holds one for its whole life). */
    private Uni<Delta> await(Cursor since, int limit, Duration wait) {
        return Uni.createFrom().emitter(emitter -> new Waiter(new Position(since, limit), emitter, false).start(wait));
    }

    /** A stream of changes from a cursor, opened by {@link #open}. */
    public final class ChangeStream {

        private final Cursor since;

        private ChangeStream(Cursor since) {
            this.since = since;
        }

        /**
         * The events, pulled as the client takes them: each read waits at most one bookmark interval; the stream ends
         * after an {@link StreamEvent.Expired} event, when the replica shuts down, and when the backend fails (the
         * client reconnects).
         */
        public Multi<StreamEvent> events() {
            AtomicReference<Cursor> at = new AtomicReference<>(since);
            AtomicBoolean holding = new AtomicBoolean();
            return Multi.createBy().repeating()
                    .uni(() -> await(at.get(), STREAM_PAGE, bookmarkInterval)
                            .map(delta -> batch(delta, at))
                            .onFailure(StoreException.CursorExpired.class)
                            .recoverWithItem(expired -> List.of(
                                    new StreamEvent.Expired((StoreException.CursorExpired) expired)))
                            // The backend failed: end the stream; the client's reconnection learns why (503).
                            .onFailure(BackendUnavailableException.class).recoverWithItem(List.of())
                            .onFailure().recoverWithItem(bug -> {
                                LOG.error("a change stream failed", bug);
                                return List.of();
                            }))
                    .whilst(batch -> !closing && !batch.isEmpty()
                            && !(batch.get(batch.size() - 1) instanceof StreamEvent.Expired))
                    .onItem().transformToIterable(batch -> batch)
                    .onSubscription().invoke(() -> {
                        holding.set(true);
                        slots.takeAdmitted();
                    })
                    .onTermination().invoke(() -> {
                        if (holding.compareAndSet(true, false)) {
                            slots.free();
                        }
                    });
        }
    }

    /** A delta as stream events (a bookmark when it is empty), and the stream's cursor moved past it. */
    private static List<StreamEvent> batch(Delta delta, AtomicReference<Cursor> at) {
        at.set(delta.cursor());
        if (delta.events().isEmpty()) {
            return List.of(new StreamEvent.Bookmark(delta.cursor()));
        }
        List<StreamEvent> events = new ArrayList<>(delta.events().size());
        for (Change change : delta.events()) {
            events.add(new StreamEvent.Changed(change, new Cursor(delta.cursor().epoch(), change.sequence())));
        }
        return events;
    }
}
