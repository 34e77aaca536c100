package io.metricstore.watch;

import static io.metricstore.store.TestStore.point;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.metricstore.Eventually;
import io.metricstore.limits.SlowReaders;
import io.metricstore.store.StoreException;
import io.metricstore.store.TestStore;
import io.metricstore.store.memory.MemoryBackend;
import io.metricstore.store.model.Change;
import io.metricstore.store.model.Cursor;
import io.metricstore.store.model.Delta;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Long-polls and change streams over the memory store, a real Vert.x (its timers end the waits, on wall-clock time,
 * hence the short intervals configured here) and a real executor for the feed reads. The executor has one thread, so
 * a task submitted to it after a signal runs after any read that the signal caused.
 */
class FeedWatchTest {

    private static final Duration SOON = Duration.ofSeconds(10);

    private final TestStore memory = new TestStore(config -> new CountingBackend(new MemoryBackend(config)),
            "store.changes.max-waiters", "4",
            "store.changes.max-wait", "1s",
            "store.changes.bookmark-interval", "200ms");
    private final CountingBackend backend = (CountingBackend) memory.backend;
    private final Vertx vertx = Vertx.vertx();
    private final ExecutorService workers = Executors.newSingleThreadExecutor();
    private final FeedWatch watch = new FeedWatch(memory.store, vertx, memory.config, new WaitSlots(memory.config),
            workers);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final SlowReaders slowReaders = new SlowReaders(vertx, Duration.ofSeconds(1), registry);

    @AfterEach
    void close() throws Exception {
        workers.shutdownNow();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private CompletableFuture<Delta> longPoll(Cursor since, Duration wait) {
        return watch.changes(since, 100, wait).subscribeAsCompletionStage();
    }

    /** Waits until every feed read that was requested so far has run. */
    private void readsDone() throws Exception {
        workers.submit(() -> { }).get(10, TimeUnit.SECONDS);
    }

    private static List<String> ids(Delta delta) {
        return delta.events().stream().map(Change::id).toList();
    }

    /** Makes {@code cursor} expire: its series expires, then the tombstone of that deletion is trimmed. */
    private void expire() {
        memory.clock.advance(memory.config.retention().plusMinutes(1));
        memory.store.gc();
        memory.clock.advance(memory.config.changes().tombstoneRetention().plusMinutes(1));
        memory.store.gc();
    }

    // ---- long-polls

    @Test
    void aLongPollAnswersAtOnceWhenEventsExist() throws Exception {
        Cursor start = memory.store.cursor();
        memory.scrape(point("present", 1));

        Delta delta = longPoll(start, Duration.ofSeconds(30)).get(5, TimeUnit.SECONDS);

        assertThat(ids(delta)).containsExactly("present");
        assertThat(delta.cursor()).isEqualTo(memory.store.cursor());
        assertThat(watch.waiting()).isZero();
    }

    @Test
    void aWriteWakesAWaitingLongPollWithItsEvent() throws Exception {
        Cursor start = memory.store.cursor();
        CompletableFuture<Delta> poll = longPoll(start, Duration.ofSeconds(30));
        readsDone();
        assertThat(poll).isNotDone();
        assertThat(watch.waiting()).isOne();

        Cursor after = memory.scrape(point("woken", 1)).cursor();

        Delta delta = poll.get(5, TimeUnit.SECONDS);
        assertThat(ids(delta)).containsExactly("woken");
        assertThat(delta.cursor()).isEqualTo(after);
        assertThat(watch.waiting()).isZero();
    }

    @Test
    void aLongPollWithoutChangesEndsEmptyAtTheSameCursorAfterItsWait() throws Exception {
        memory.scrape(point("before", 1));
        Cursor start = memory.store.cursor();
        long began = System.nanoTime();

        Delta delta = longPoll(start, Duration.ofMillis(300)).get(5, TimeUnit.SECONDS);

        assertThat(Duration.ofNanos(System.nanoTime() - began)).isGreaterThanOrEqualTo(Duration.ofMillis(290));
        assertThat(delta.events()).isEmpty();
        assertThat(delta.cursor()).isEqualTo(start);
        assertThat(delta.more()).isFalse();
        assertThat(watch.waiting()).isZero();
    }

    @Test
    void aLongPollAtAnExpiredCursorFailsWith410AndFreesItsSlot() {
        memory.scrape(point("old", 1));
        Cursor old = memory.store.cursor();
        expire();
        assertThatThrownBy(() -> memory.changesSince(old)).isInstanceOf(StoreException.CursorExpired.class);

        assertThatThrownBy(() -> longPoll(old, Duration.ofSeconds(30)).get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(StoreException.CursorExpired.class);
        assertThat(watch.waiting()).isZero();
    }

    @Test
    void waitersArrivingAtOneCursorShareTheirFirstReads() throws Exception {
        Cursor start = memory.store.cursor();
        CountDownLatch busy = new CountDownLatch(1);
        workers.submit(() -> {
            busy.await();
            return null;
        });
        int readsBefore = backend.feedReads.get();
        List<CompletableFuture<Delta>> polls = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            polls.add(longPoll(start, Duration.ofSeconds(30)));
        }
        busy.countDown();
        readsDone();
        assertThat(backend.feedReads.get() - readsBefore).as("feed reads for four arrivals").isBetween(1, 2);
        assertThat(watch.waiting()).isEqualTo(4);
        memory.scrape(point("arrived", 1));
        for (CompletableFuture<Delta> poll : polls) {
            assertThat(ids(poll.get(5, TimeUnit.SECONDS))).containsExactly("arrived");
        }
    }

    @Test
    void waitersAtOneCursorShareTheirReads() throws Exception {
        Cursor start = memory.store.cursor();
        List<CompletableFuture<Delta>> polls = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            polls.add(longPoll(start, Duration.ofSeconds(30)));
        }
        readsDone();
        assertThat(polls).noneMatch(CompletableFuture::isDone);
        int readsBefore = backend.feedReads.get();

        memory.scrape(point("shared", 1));

        for (CompletableFuture<Delta> poll : polls) {
            assertThat(ids(poll.get(5, TimeUnit.SECONDS))).containsExactly("shared");
        }
        readsDone();
        assertThat(backend.feedReads.get() - readsBefore).as("feed reads for four waiters").isOne();
    }

    @Test
    void aCancelledLongPollFreesItsSlotAndIsNoLongerRead() throws Exception {
        Cursor start = memory.store.cursor();
        List<Object> answers = new ArrayList<>();
        Cancellable poll = watch.changes(start, 100, Duration.ofSeconds(30)).subscribe()
                .with(answers::add, answers::add);
        readsDone();
        assertThat(watch.waiting()).isOne();

        poll.cancel();
        assertThat(watch.waiting()).isZero();
        int readsBefore = backend.feedReads.get();
        memory.scrape(point("nobody_waits", 1));
        readsDone();

        assertThat(backend.feedReads.get()).as("feed reads after the cancel").isEqualTo(readsBefore);
        assertThat(answers).isEmpty();
    }

    @Test
    void beyondMaxWaitersLongPollsAndStreamsAreRefused() throws Exception {
        Cursor start = memory.store.cursor();
        List<Cancellable> polls = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            polls.add(watch.changes(start, 100, Duration.ofSeconds(30)).subscribe().with(delta -> { }));
        }
        assertThat(watch.waiting()).isEqualTo(4);

        assertThatThrownBy(() -> longPoll(start, Duration.ofSeconds(30)).get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(TooManyWaiters.class)
                .cause().hasMessageContaining("store.changes.max-waiters");
        assertThatThrownBy(() -> watch.open(start)).isInstanceOf(TooManyWaiters.class);
        assertThat(watch.waiting()).isEqualTo(4);

        polls.remove(0).cancel();
        CompletableFuture<Delta> admitted = longPoll(start, Duration.ofSeconds(30));
        assertThat(watch.waiting()).isEqualTo(4);
        memory.scrape(point("admitted", 1));
        assertThat(ids(admitted.get(5, TimeUnit.SECONDS))).containsExactly("admitted");
        polls.forEach(Cancellable::cancel);
        assertThat(watch.waiting()).isZero();
    }

    // ---- streams

    @Test
    void aStreamSendsEveryChangeInOrderWithTheCursorAfterIt() {
        Cursor start = memory.store.cursor();
        memory.scrape(point("first", 1));
        memory.scrape(point("second", 1), point("third", 1));
        FeedWatch.ChangeStream stream = watch.open(start);
        AssertSubscriber<StreamEvent> client = stream.events().subscribe()
                .withSubscriber(AssertSubscriber.create(3));
        memory.scrape(point("fourth", 1));
        client.request(1);

        List<StreamEvent> events = client.awaitItems(4, SOON).getItems();
        assertThat(events).allMatch(StreamEvent.Changed.class::isInstance);
        List<StreamEvent.Changed> changes = events.stream().map(StreamEvent.Changed.class::cast).toList();
        assertThat(changes).extracting(changed -> changed.change().id())
                .containsExactly("first", "second", "third", "fourth");
        for (int k = 0; k < changes.size(); k++) {
            List<String> rest = changes.subList(k + 1, changes.size()).stream()
                    .map(changed -> changed.change().id()).toList();
            assertThat(ids(memory.changesSince(changes.get(k).after())))
                    .as("resuming after event %d", k).containsExactlyElementsOf(rest);
        }
        assertThat(changes.get(3).after()).isEqualTo(memory.store.cursor());
        client.cancel();
        assertThat(watch.waiting()).isZero();
    }

    @Test
    void anIdleStreamSendsABookmarkEveryBookmarkInterval() {
        memory.scrape(point("idle", 1));
        Cursor now = memory.store.cursor();
        long began = System.nanoTime();
        AssertSubscriber<StreamEvent> client = watch.open(now).events().subscribe()
                .withSubscriber(AssertSubscriber.create(1));

        client.awaitItems(1, SOON);
        assertThat(Duration.ofNanos(System.nanoTime() - began)).isGreaterThanOrEqualTo(Duration.ofMillis(190));
        assertThat(client.getItems()).containsExactly(new StreamEvent.Bookmark(now));

        memory.scrape(point("later", 1));
        client.request(1);
        StreamEvent next = client.awaitItems(2, SOON).getItems().get(1);
        assertThat(next).isInstanceOfSatisfying(StreamEvent.Changed.class, changed -> {
            assertThat(changed.change().id()).isEqualTo("later");
            assertThat(changed.after()).isEqualTo(memory.store.cursor());
        });
        client.cancel();
    }

    @Test
    void aStreamAtAnExpiredCursorSendsExpiredThenCompletes() {
        memory.scrape(point("old", 1));
        Cursor old = memory.store.cursor();
        expire();

        AssertSubscriber<StreamEvent> client = watch.open(old).events().subscribe()
                .withSubscriber(AssertSubscriber.create(10));

        client.awaitCompletion(SOON);
        assertThat(client.getItems()).singleElement().isInstanceOfSatisfying(StreamEvent.Expired.class,
                expired -> assertThat(expired.cause().kind()).isEqualTo(StoreException.Kind.CURSOR_EXPIRED));
        assertThat(watch.waiting()).isZero();
    }

    /** A stream guarded as the API guards it (a write timeout of 1 s); {@code cutOff} counts the cut-offs. */
    private AssertSubscriber<StreamEvent> guardedClient(Cursor since, CountDownLatch cutOff) {
        return slowReaders.guard(watch.open(since).events(), SlowReaders.Endpoint.CHANGES_STREAM, cutOff::countDown)
                .subscribe().withSubscriber(AssertSubscriber.create(1));
    }

    @Test
    void aClientThatTakesEveryEventIsNeverCutOff() {
        Cursor now = memory.store.cursor();
        CountDownLatch cutOff = new CountDownLatch(1);
        AssertSubscriber<StreamEvent> client = guardedClient(now, cutOff);
        // Bookmarks for well over the write timeout (1 s), each taken as it comes.
        for (int taken = 1; taken <= 8; taken++) {
            client.awaitItems(taken, SOON);
            client.request(1);
        }
        assertThat(cutOff.getCount()).as("cut off").isOne();
        assertThat(client.getItems()).allMatch(StreamEvent.Bookmark.class::isInstance);
        client.cancel();
        assertThat(watch.waiting()).isZero();
    }

    @Test
    void aClientThatTakesNothingIsCutOffAfterTheWriteTimeout() throws InterruptedException {
        Cursor start = memory.store.cursor();
        CountDownLatch cutOff = new CountDownLatch(1);
        AssertSubscriber<StreamEvent> client = guardedClient(start, cutOff);
        memory.scrape(point("taken", 1), point("never_taken", 1));
        client.awaitItems(1, SOON);
        long began = System.nanoTime();

        assertThat(cutOff.await(10, TimeUnit.SECONDS)).as("cut off").isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - began)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        assertThat(client.getItems()).hasSize(1);
        assertThat(registry.get("store_slow_readers_closed_total").tag("endpoint", "changes_stream").counter()
                .count()).isEqualTo(1);
        assertThat(watch.waiting()).as("the slot stays taken until the connection is gone").isOne();
        client.cancel();
        assertThat(watch.waiting()).isZero();
    }

    @Test
    void aCancelledStreamFreesItsSlot() throws Exception {
        AssertSubscriber<StreamEvent> client = watch.open(memory.store.cursor()).events().subscribe()
                .withSubscriber(AssertSubscriber.create(1));
        assertThat(watch.waiting()).isOne();
        Eventually.until(() -> backend.feedReads.get() > 0, SOON, "the stream's first read");
        readsDone();
        client.cancel();
        assertThat(watch.waiting()).isZero();
        int readsBefore = backend.feedReads.get();
        memory.scrape(point("nobody_streams", 1));
        readsDone();
        assertThat(backend.feedReads.get()).isEqualTo(readsBefore);
    }

    @Test
    void aStreamTakesItsSlotOnlyWhenItsEventsAreSubscribed() {
        FeedWatch.ChangeStream opened = watch.open(memory.store.cursor());
        assertThat(watch.waiting()).as("opened; the client left before the events were subscribed").isZero();
        AssertSubscriber<StreamEvent> client = opened.events().subscribe()
                .withSubscriber(AssertSubscriber.create(1));
        assertThat(watch.waiting()).isOne();
        client.cancel();
        assertThat(watch.waiting()).isZero();
    }

    @Test
    void aLongPollCancelledBeforeItJoinedItsGroupLeavesNoWaiterBehind() throws Exception {
        Cursor start = memory.store.cursor();
        // Cancelled as soon as it is subscribed: before the waiter has joined its group.
        watch.changes(start, 100, Duration.ofSeconds(30)).onSubscription().invoke(Cancellable::cancel)
                .subscribe().with(delta -> { }, failure -> { });
        readsDone();
        assertThat(watch.waiting()).isZero();
        int readsBefore = backend.feedReads.get();
        memory.scrape(point("nobody_waits", 1));
        readsDone();
        assertThat(backend.feedReads.get()).as("no group left to read for").isEqualTo(readsBefore);
    }
}
