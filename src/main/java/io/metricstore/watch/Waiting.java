package io.metricstore.watch;

import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One long-poll wait, answered once: with a result, with a failure, or cancelled when its client goes. Whichever comes
 * first, the wait leaves: its timer is cancelled and it gives back what it holds ({@link #left}), exactly once.
 */
abstract class Waiting<T> {

    private final Vertx vertx;
    final UniEmitter<? super T> emitter;
    final AtomicBoolean settled = new AtomicBoolean();
    /** The Vert.x timer that ends the wait; -1 until it is set. */
    volatile long timer = -1;

    Waiting(Vertx vertx, UniEmitter<? super T> emitter) {
        this.vertx = vertx;
        this.emitter = emitter;
    }

    /** Answers the wait with {@code result}, or fails it with {@code failure}; later calls do nothing. */
    final void settle(T result, Throwable failure) {
        if (!settled.compareAndSet(false, true)) {
            return;
        }
        leave();
        if (failure != null) {
            emitter.fail(failure);
        } else {
            emitter.complete(result);
        }
    }

    /** The client went away (or the answer was sent): leave without answering. */
    final void cancel() {
        if (settled.compareAndSet(false, true)) {
            leave();
        }
    }

    private void leave() {
        long pending = timer;
        if (pending >= 0) {
            vertx.cancelTimer(pending);
        }
        left();
    }

    /** Leaves the wait's group and frees its slot; called once, when the wait ends whichever way. */
    abstract void left();
}
