package io.metricstore.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.metricstore.store.model.Cursor;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** A listener of {@link StoreBackend#watch} that a test reads: the signals in order, each awaited with a deadline. */
public final class Signals implements Consumer<Cursor> {

    private final BlockingQueue<Cursor> received = new LinkedBlockingQueue<>();
    private final Duration deadline;

    /** {@code deadline}: how long a signal may take (a shared backend that lost its subscription still polls within). */
    public Signals(Duration deadline) {
        this.deadline = deadline;
    }

    @Override
    public void accept(Cursor cursor) {
        received.add(cursor);
    }

    /** The next signal, failing the test when none comes within the deadline. */
    public Cursor next() throws InterruptedException {
        Cursor next = received.poll(deadline.toNanos(), TimeUnit.NANOSECONDS);
        assertThat(next).as("a signal within %s", deadline).isNotNull();
        return next;
    }

    /** Waits for a signal of {@code cursor} or a later one of its epoch, skipping the others. */
    public void await(Cursor cursor) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (true) {
            Cursor next = received.poll(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            assertThat(next).as("a signal of %s within %s", cursor, deadline).isNotNull();
            if (next.epoch().equals(cursor.epoch()) && next.sequence() >= cursor.sequence()) {
                return;
            }
        }
    }

    /** Forgets the signals received so far. */
    public void clear() {
        received.clear();
    }
}
