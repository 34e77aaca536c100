package io.metricstore.watch;

import static io.metricstore.store.TestStore.point;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.metricstore.Eventually;
import io.metricstore.store.BackendUnavailableException;
import io.metricstore.store.StoreException;
import io.metricstore.store.TestStore;
import io.metricstore.store.memory.MemoryBackend;
import io.metricstore.store.model.Cursor;
import io.metricstore.store.model.Delta;
import io.metricstore.store.model.LeaseGrant;
import io.metricstore.store.model.LeaseState;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Long-polls on leases over the memory store (through a {@link CountingBackend}, to count the reads), a real Vert.x
 * and a one-thread executor for the reads, as in {@link FeedWatchTest}. Leases expire by the test's clock, which
 * stands still unless a test moves it; the timers that read a lease again at its expiry run on wall-clock time, so
 * the leases that must expire here have short TTLs: their timer keeps reading (and finding them held) until the test
 * moves the clock past their expiry.
 */
class LeaseWatchTest {

    private static final Duration SOON = Duration.ofSeconds(10);
    private static final Duration LONG = Duration.ofSeconds(30);
    private static final String OWNER = "exporter";

    private final TestStore memory = new TestStore(config -> new CountingBackend(new MemoryBackend(config)),
            "store.changes.max-waiters", "4",
            "store.changes.max-wait", "1s");
    private final CountingBackend backend = (CountingBackend) memory.backend;
    private final Vertx vertx = Vertx.vertx();
    private final ExecutorService workers = Executors.newSingleThreadExecutor();
    private final WaitSlots slots = new WaitSlots(memory.config);
    private final LeaseWatch watch = new LeaseWatch(memory.store, vertx, memory.clock, slots, workers);

    @AfterEach
    void close() throws Exception {
        workers.shutdownNow();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private CompletableFuture<Optional<LeaseState>> observe(String name, Duration wait, OptionalLong fence) {
        return watch.observe(name, wait, fence).subscribeAsCompletionStage();
    }

    private CompletableFuture<Optional<LeaseState>> awaitChange(String name, long fence) {
        return observe(name, LONG, OptionalLong.of(fence));
    }

    private LeaseGrant campaign(String name, String token, Duration ttl) {
        return memory.store.campaign(name, ttl, token, token + "-pod", OWNER);
    }

    private LeaseGrant campaign(String name, String token) {
        return campaign(name, token, Duration.ofMinutes(1));
    }

    /** Waits until every read that was requested so far has run. */
    private void readsDone() throws Exception {
        workers.submit(() -> { }).get(10, TimeUnit.SECONDS);
    }

    private static Optional<LeaseState> answer(CompletableFuture<Optional<LeaseState>> poll) throws Exception {
        return poll.get(5, TimeUnit.SECONDS);
    }

    private static Optional<LeaseState> held(LeaseGrant grant) {
        return Optional.of(new LeaseState(grant.name(), grant.holder(), grant.fence(), grant.expiresAt()));
    }

    // ---- answered at once

    @Test
    void answersAtOnceWhenTheFenceAlreadyDiffers() throws Exception {
        LeaseGrant held = campaign("leader", "a");

        assertThat(answer(awaitChange("leader", held.fence() - 1))).isEqualTo(held(held));
        assertThat(slots.taken()).isZero();
    }

    @Test
    void answersAtOnceWhenTheLeaseIsFree() throws Exception {
        LeaseGrant held = campaign("leader", "a");
        memory.store.resign("leader", "a", OWNER);

        assertThat(answer(awaitChange("leader", held.fence()))).isEmpty();
        assertThat(answer(awaitChange("never-held", 7))).isEmpty();
        assertThat(slots.taken()).isZero();
    }

    // ---- woken by a change

    @Test
    void aResignWakesTheWaitersOnTheFence() throws Exception {
        LeaseGrant held = campaign("leader", "a");
        CompletableFuture<Optional<LeaseState>> poll = awaitChange("leader", held.fence());
        readsDone();
        assertThat(poll).isNotDone();
        assertThat(slots.taken()).isOne();

        memory.store.resign("leader", "a", OWNER);

        assertThat(answer(poll)).isEmpty();
        assertThat(slots.taken()).isZero();
    }

    @Test
    void aCampaignByAnotherTokenWakesTheWaitersOnTheFence() throws Exception {
        LeaseGrant deposed = campaign("leader", "a", Duration.ofMinutes(1));
        CompletableFuture<Optional<LeaseState>> poll = awaitChange("leader", deposed.fence());
        readsDone();
        // A's lease runs out by the store's clock; its expiry timer is a minute of wall-clock time away.
        memory.clock.advance(Duration.ofMinutes(2));
        assertThat(poll).isNotDone();

        LeaseGrant successor = campaign("leader", "b");

        assertThat(successor.fence()).isGreaterThan(deposed.fence());
        assertThat(answer(poll)).isEqualTo(held(successor));
    }

    @Test
    void anExpiryWakesTheWaitersThoughNobodySignalsIt() throws Exception {
        LeaseGrant held = campaign("leader", "a", Duration.ofMillis(200));
        CompletableFuture<Optional<LeaseState>> poll = awaitChange("leader", held.fence());
        readsDone();
        int readsBefore = backend.leaseReads.get();
        // The timer at its expiry reads it again; by the store's clock, which has not moved, it is still held.
        Eventually.until(() -> backend.leaseReads.get() > readsBefore, SOON, "a read at the lease's expiry");
        assertThat(poll).isNotDone();

        memory.clock.advance(Duration.ofSeconds(1));

        assertThat(answer(poll)).isEmpty();
        assertThat(slots.taken()).isZero();
    }

    @Test
    void aRenewalWakesNobody() throws Exception {
        LeaseGrant held = campaign("leader", "a");
        CompletableFuture<Optional<LeaseState>> fenced = awaitChange("leader", held.fence());
        CompletableFuture<Optional<LeaseState>> unfenced = observe("leader", LONG, OptionalLong.empty());
        readsDone();
        int readsBefore = backend.leaseReads.get();

        memory.clock.advance(Duration.ofSeconds(30));
        LeaseGrant renewed = memory.store.renew("leader", "a", Duration.ofMinutes(1), OWNER);
        readsDone();

        assertThat(backend.leaseReads.get()).as("reads after the renewal").isEqualTo(readsBefore + 1);
        assertThat(renewed.fence()).isEqualTo(held.fence());
        assertThat(fenced).isNotDone();
        assertThat(unfenced).isNotDone();
        memory.store.resign("leader", "a", OWNER);
        assertThat(answer(fenced)).isEmpty();
        assertThat(answer(unfenced)).isEmpty();
    }

    @Test
    void withoutAFenceAWaiterWaitsForAChangeFromTheStateAtTheCall() throws Exception {
        CompletableFuture<Optional<LeaseState>> whileFree = observe("leader", LONG, OptionalLong.empty());
        readsDone();
        assertThat(whileFree).isNotDone();

        LeaseGrant first = campaign("leader", "a", Duration.ofMillis(200));
        assertThat(answer(whileFree)).isEqualTo(held(first));

        CompletableFuture<Optional<LeaseState>> whileHeld = observe("leader", LONG, OptionalLong.empty());
        readsDone();
        assertThat(whileHeld).isNotDone();
        memory.clock.advance(Duration.ofSeconds(1));
        // Expired, not signalled: the expiry timer finds it free.
        assertThat(answer(whileHeld)).isEmpty();

        LeaseGrant second = campaign("leader", "b");
        CompletableFuture<Optional<LeaseState>> whileHeldAgain = observe("leader", LONG, OptionalLong.empty());
        readsDone();
        memory.store.resign("leader", "b", OWNER);
        LeaseGrant third = campaign("leader", "c");
        Optional<LeaseState> changed = answer(whileHeldAgain);
        assertThat(changed).as("free, or already held by c").isIn(Optional.empty(), held(third));
        assertThat(third.fence()).isGreaterThan(second.fence());
    }

    @Test
    void theEndOfAWaitAnswersTheStateThen() throws Exception {
        LeaseGrant held = campaign("leader", "a");
        long began = System.nanoTime();
        CompletableFuture<Optional<LeaseState>> poll = observe("leader", Duration.ofMillis(300),
                OptionalLong.of(held.fence()));
        readsDone();
        memory.clock.advance(Duration.ofSeconds(10));
        LeaseGrant renewed = memory.store.renew("leader", "a", Duration.ofMinutes(1), OWNER);
        readsDone();
        assertThat(poll).isNotDone();

        assertThat(answer(poll)).as("a read at the end of the wait, after the renewal").isEqualTo(held(renewed));
        assertThat(renewed.expiresAt()).isAfter(held.expiresAt());
        assertThat(Duration.ofNanos(System.nanoTime() - began)).isGreaterThanOrEqualTo(Duration.ofMillis(290));
        assertThat(slots.taken()).isZero();
    }

    @Test
    void aFailedReadFailsTheWaiterAsAPlainObserveWouldAndFreesItsSlot() {
        assertThatThrownBy(() -> awaitChange("", 1).get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(StoreException.Validation.class);
        assertThat(slots.taken()).isZero();
    }

    @Test
    void aLostSignalIsMadeUpForByTheReadEveryBookmarkInterval() throws Exception {
        TestStore lossy = new TestStore(config -> new CountingBackend(new MemoryBackend(config)),
                "store.changes.bookmark-interval", "200ms");
        CountingBackend counted = (CountingBackend) lossy.backend;
        counted.leaseSignalsLost = true;
        LeaseWatch periodic = new LeaseWatch(lossy.store, vertx, lossy.clock, new WaitSlots(lossy.config),
                lossy.config);
        LeaseGrant held = lossy.store.campaign("leader", Duration.ofMinutes(1), "a", "a-pod", OWNER);
        CompletableFuture<Optional<LeaseState>> poll =
                periodic.observe("leader", LONG, OptionalLong.of(held.fence())).subscribeAsCompletionStage();
        Eventually.until(() -> counted.leaseReads.get() > 0, SOON, "the waiter's first read");
        lossy.store.resign("leader", "a", OWNER);
        assertThat(poll.get(5, TimeUnit.SECONDS)).as("answered long before its 30 s wait ends").isEmpty();
    }

    // ---- sharing

    @Test
    void aThousandWaitersOnOneLeaseCostAHandfulOfReads() throws Exception {
        TestStore crowded = new TestStore(config -> new CountingBackend(new MemoryBackend(config)),
                "store.changes.max-waiters", "1000");
        CountingBackend counted = (CountingBackend) crowded.backend;
        LeaseWatch crowd = new LeaseWatch(crowded.store, vertx, crowded.clock, new WaitSlots(crowded.config), workers);
        LeaseGrant held = crowded.store.campaign("leader", Duration.ofMinutes(1), "a", "a-pod", OWNER);
        CountDownLatch busy = new CountDownLatch(1);
        workers.submit(() -> {
            busy.await();
            return null;
        });
        List<CompletableFuture<Optional<LeaseState>>> polls = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            polls.add(crowd.observe("leader", LONG, OptionalLong.of(held.fence())).subscribeAsCompletionStage());
        }
        busy.countDown();
        readsDone();
        assertThat(counted.leaseReads.get()).as("reads for a thousand arrivals").isBetween(1, 2);
        assertThat(polls).noneMatch(CompletableFuture::isDone);
        int readsBefore = counted.leaseReads.get();

        crowded.store.resign("leader", "a", OWNER);

        for (CompletableFuture<Optional<LeaseState>> poll : polls) {
            assertThat(answer(poll)).isEmpty();
        }
        readsDone();
        assertThat(counted.leaseReads.get() - readsBefore).as("reads to answer a thousand waiters").isOne();
    }

    @Test
    void leaseWaitersAndFeedWaitersShareTheSlots() throws Exception {
        FeedWatch feed = new FeedWatch(memory.store, vertx, memory.config, slots, workers);
        LeaseGrant held = campaign("leader", "a");
        Cursor start = memory.store.cursor();
        List<Cancellable> waits = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            waits.add(watch.observe("leader", LONG, OptionalLong.of(held.fence())).subscribe().with(state -> { }));
            waits.add(feed.changes(start, 100, LONG).subscribe().with(delta -> { }));
        }
        assertThat(slots.taken()).isEqualTo(4);
        assertThat(feed.waiting()).isEqualTo(4);

        assertThatThrownBy(() -> awaitChange("leader", held.fence()).get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(TooManyWaiters.class);
        assertThatThrownBy(() -> feed.changes(start, 100, LONG).subscribeAsCompletionStage().get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(TooManyWaiters.class);
        assertThatThrownBy(() -> feed.open(start)).isInstanceOf(TooManyWaiters.class);

        // A lease waiter that leaves makes room for a feed waiter.
        waits.remove(0).cancel();
        CompletableFuture<Delta> admitted = feed.changes(start, 100, LONG).subscribeAsCompletionStage();
        assertThat(slots.taken()).isEqualTo(4);
        memory.scrape(point("admitted", 1));
        assertThat(admitted.get(5, TimeUnit.SECONDS).events()).hasSize(1);
        readsDone();
        waits.forEach(Cancellable::cancel);
        assertThat(slots.taken()).isZero();
    }

    // ---- leaving

    @Test
    void aCancelledWaiterFreesItsSlotAndIsNoLongerRead() throws Exception {
        LeaseGrant held = campaign("leader", "a");
        List<Object> answers = new ArrayList<>();
        Cancellable poll = watch.observe("leader", LONG, OptionalLong.of(held.fence())).subscribe()
                .with(answers::add, answers::add);
        readsDone();
        assertThat(slots.taken()).isOne();

        poll.cancel();
        assertThat(slots.taken()).isZero();
        int readsBefore = backend.leaseReads.get();
        memory.store.resign("leader", "a", OWNER);
        readsDone();

        assertThat(backend.leaseReads.get()).as("reads after the cancel").isEqualTo(readsBefore);
        assertThat(answers).isEmpty();
    }

    @Test
    void aWaiterCancelledBeforeItJoinedItsGroupLeavesNoGroupBehind() throws Exception {
        LeaseGrant held = campaign("leader", "a");
        // Cancelled as soon as it is subscribed: before the waiter has joined its group.
        watch.observe("leader", LONG, OptionalLong.of(held.fence())).onSubscription().invoke(Cancellable::cancel)
                .subscribe().with(state -> { }, failure -> { });
        readsDone();
        assertThat(slots.taken()).isZero();
        int readsBefore = backend.leaseReads.get();
        memory.store.resign("leader", "a", OWNER);
        readsDone();
        assertThat(backend.leaseReads.get()).as("no group left to read for").isEqualTo(readsBefore);
    }

    @Test
    void atShutdownEveryWaiterIsAnsweredAtOnceAndNewOnesAreRefused() throws Exception {
        LeaseGrant held = campaign("leader", "a");
        CompletableFuture<Optional<LeaseState>> first = awaitChange("leader", held.fence());
        CompletableFuture<Optional<LeaseState>> second = observe("leader", LONG, OptionalLong.empty());
        readsDone();
        assertThat(first).isNotDone();

        watch.close();

        assertThat(first).isCompletedWithValue(held(held));
        assertThat(second).isCompletedWithValue(held(held));
        assertThat(slots.taken()).isZero();
        assertThatThrownBy(() -> awaitChange("leader", held.fence()).get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(BackendUnavailableException.class)
                .cause().hasMessageContaining("shutting down");
    }
}
