package io.metricstore.watch;

import io.metricstore.store.BackendUnavailableException;
import io.metricstore.store.MetricStore;
import io.metricstore.store.StoreConfig;
import io.metricstore.store.model.LeaseState;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Vertx;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Long-polls on leases (SPEC §3, {@code GET /leases/{name}?wait=&fence=}) on this replica, in the shape of
 * {@link FeedWatch}.
 *
 * <p>A waiter joins the group of waiters on its lease, then has the group read the lease, so a change that this read
 * misses signals the group afterwards. The group reads on a worker thread, once however many waiters join and however
 * many signals for its lease ({@link MetricStore#watchLeases}) arrive meanwhile ({@link Coalesced}); a read answers
 * every waiter for which the lease changed. A lease that merely expires is signalled by nobody, so after each read that
 * finds it held the group reads again when it expires (a Vert.x timer, replaced by each read): a follower learns that
 * its leader ran out as soon as it did. Every {@code store.changes.bookmark-interval} each group reads anyway, in case a
 * signal was lost. A Vert.x timer ends each wait, which answers with the state a fresh read finds.
 * No waiter holds a thread, and the waits count against {@code store.changes.max-waiters} with the feed's
 * ({@link WaitSlots}).
 */
@Singleton
public class LeaseWatch {

    private final MetricStore store;
    private final Vertx vertx;
    private final Clock clock;
    private final WaitSlots slots;
    private final Executor workers;
    private final ConcurrentHashMap<String, Group> groups = new ConcurrentHashMap<>();
    /** Set when this replica starts shutting down: waits end, and no new one starts. */
    private volatile boolean closing;

    @Inject
    public LeaseWatch(MetricStore store, Vertx vertx, Clock clock, WaitSlots slots, StoreConfig config) {
        this(store, vertx, clock, slots, Infrastructure.getDefaultWorkerPool());
        // Signals may be lost (pub/sub delivers at most once, and a half-open subscription is only noticed by the
        // feed's messages): every bookmark interval each waiting group reads its lease anyway.
        vertx.setPeriodic(Math.max(1, config.changes().bookmarkInterval().toMillis()), id -> changed(Optional.empty()));
    }

    /** {@code clock} must be the store's: it turns the expiry a read finds into a delay. */
    public LeaseWatch(MetricStore store, Vertx vertx, Clock clock, WaitSlots slots, Executor workers) {
        this.store = store;
        this.vertx = vertx;
        this.clock = clock;
        this.slots = slots;
        this.workers = workers;
        store.watchLeases(this::changed);
    }

    /**
     * The lease's state as soon as its fence differs from {@code fence} or it is free (at once if it already is);
     * without {@code fence}, as soon as it is held or free, or held with another fence, unlike at the call. A renewal
     * answers nobody. After {@code wait}, its state then. Fails with {@link TooManyWaiters} when every slot is taken,
     * and as {@link MetricStore#observe} does (a bad name fails the first read, as a plain observe).
     */
    public Uni<Optional<LeaseState>> observe(String name, Duration wait, OptionalLong fence) {
        return Uni.createFrom().emitter(emitter -> {
            if (closing) {
                throw new BackendUnavailableException("this replica is shutting down: long-polls are served by the "
                        + "other replicas", null, Duration.ofSeconds(1));
            }
            slots.take();
            new Waiter(name, fence.isPresent() ? fence : null, emitter).start(wait);
        });
    }

    /**
     * When shutdown begins (see {@link FeedWatch#onShutdown}), every wait ends at once, so that its client goes to
     * another replica.
     */
    void onShutdown(@Observes ShutdownDelayInitiatedEvent event) {
        close();
    }

    /**
     * Ends every wait, with the state its group read last (a group that has not read yet is reading: that read
     * answers its waiters); new ones are refused (503).
     */
    public void close() {
        closing = true;
        groups.values().forEach(group -> {
            // Due before last is looked at: a first read that sets last after this look sees them due.
            group.waiters.forEach(waiter -> waiter.due = true);
            Optional<LeaseState> last = group.last;
            if (last != null) {
                group.waiters.forEach(waiter -> waiter.settle(last, null));
            }
        });
    }

    /** A signal from the backend: the group of the lease named reads it; every group, when any lease may have changed. */
    private void changed(Optional<String> lease) {
        if (lease.isEmpty()) {
            groups.values().forEach(group -> group.reader.request());
            return;
        }
        Group group = groups.get(lease.get());
        if (group != null) {
            group.reader.request();
        }
    }

    /** The fence of a held lease; empty when it is free. */
    private static OptionalLong fenceOf(Optional<LeaseState> state) {
        return state.map(held -> OptionalLong.of(held.fence())).orElse(OptionalLong.empty());
    }

    /** The waiters on one lease, their shared read of it, and the timer that reads it again when it expires. */
    private final class Group {
        final String name;
        final Set<Waiter> waiters = ConcurrentHashMap.newKeySet();
        final Coalesced reader;
        final AtomicLong expiryTimer = new AtomicLong(-1);
        /** What the last read found; null before the first. */
        volatile Optional<LeaseState> last;

        Group(String name) {
            this.name = name;
            this.reader = new Coalesced(workers, this::read);
        }

        /**
         * One read for the waiters present when it starts (those that join meanwhile have requested the next one). A
         * read that fails fails the waiters it would have answered whatever it found (their first check, the end of
         * their wait), as a plain {@code GET /leases/{name}} would, and the others wait on.
         */
        private void read() {
            if (waiters.isEmpty()) {
                return;
            }
            List<Waiter> present = new ArrayList<>(waiters);
            Optional<LeaseState> state;
            try {
                state = store.observe(name);
            } catch (RuntimeException unavailable) {
                present.stream().filter(waiter -> !waiter.checked || waiter.due)
                        .forEach(waiter -> waiter.settle(null, unavailable));
                return;
            }
            last = state;
            readAgainAtExpiry(state);
            OptionalLong fence = fenceOf(state);
            present.forEach(waiter -> waiter.check(state, fence));
        }

        /** Replaces the expiry timer: at the holder's expiry (the first instant it is free) the group reads again. */
        private void readAgainAtExpiry(Optional<LeaseState> state) {
            long next = state.filter(held -> !waiters.isEmpty())
                    .map(held -> vertx.setTimer(
                            Math.max(1, Duration.between(clock.instant(), held.expiresAt()).toMillis() + 1),
                            id -> reader.request()))
                    .orElse(-1L);
            cancel(expiryTimer.getAndSet(next));
        }

        /** The group is gone (its last waiter left): its expiry timer goes with it. */
        void stop() {
            cancel(expiryTimer.getAndSet(-1));
        }

        private void cancel(long timer) {
            if (timer >= 0) {
                vertx.cancelTimer(timer);
            }
        }
    }

    /** One wait: answered once, by a read that finds a change, by the end of the wait, by a failure, or cancelled. */
    private final class Waiter extends Waiting<Optional<LeaseState>> {
        final String name;
        /** The fence it waits to see change (empty: waits for a holder); null until its first read, without a fence. */
        volatile OptionalLong from;
        /** Whether a read of its group checked it (after that, a failed read lets it wait on). */
        volatile boolean checked;
        /** Its wait is over: the next read answers it, whatever it finds. */
        volatile boolean due;

        Waiter(String name, OptionalLong from, UniEmitter<? super Optional<LeaseState>> emitter) {
            super(vertx, emitter);
            this.name = name;
            this.from = from;
        }

        /** Joins the group, then has it read (see {@link FeedWatch}'s waiters: arrivals share their first reads). */
        void start(Duration wait) {
            emitter.onTermination(this::cancel);
            Group group = groups.compute(name, (lease, existing) -> {
                Group joined = existing == null ? new Group(lease) : existing;
                joined.waiters.add(this);
                return joined;
            });
            if (settled.get()) {
                // Cancelled before it joined: its leave() found nothing to remove.
                removeFromGroup();
                return;
            }
            timer = vertx.setTimer(Math.max(1, wait.toMillis()), id -> {
                due = true;
                group.reader.request();
            });
            if (settled.get()) {
                // A group read answered it between joining and now, before there was a timer to cancel.
                vertx.cancelTimer(timer);
                return;
            }
            if (closing) {
                due = true;
            }
            group.reader.request();
        }

        /** A read of its group found {@code state}, whose fence is {@code fence}. */
        void check(Optional<LeaseState> state, OptionalLong fence) {
            if (due || (from != null && !from.equals(fence))) {
                settle(state, null);
            } else if (from == null) {
                from = fence;
            }
            checked = true;
        }

        private void removeFromGroup() {
            groups.computeIfPresent(name, (lease, group) -> {
                group.waiters.remove(this);
                if (!group.waiters.isEmpty()) {
                    return group;
                }
                group.stop();
                return null;
            });
        }

        @Override
        void left() {
            removeFromGroup();
            slots.free();
        }
    }
}
