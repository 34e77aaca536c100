package io.metricstore.limits;

import io.metricstore.store.StoreConfig;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Singleton;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Permits for the reads whose cost grows with the state: a snapshot ({@code GET /series}) and a scrape of
 * {@code /metrics}, each held until its client has read the answer (or is cut off, {@link SlowReaders}). At most
 * {@code store.limits.max-concurrent-reads} run at once; beyond, the caller is refused at once (503, not queued), so
 * the other requests keep their threads.
 */
@Singleton
public class ExpensiveReads {

    private final int max;
    private final Semaphore permits;

    public ExpensiveReads(StoreConfig config) {
        this.max = config.limits().maxConcurrentReads();
        this.permits = new Semaphore(max);
    }

    /**
     * Takes a permit for the request of {@code context} until its response has ended (sent, failed, or the client
     * gone). An answer streamed by RESTEasy Reactive gives the returned permit back itself when its stream ends: that
     * takes over the response's close handler, so the context does not learn of a client that goes away.
     *
     * @throws TooManyReads when every permit is taken
     */
    public Permit admit(RoutingContext context) {
        Permit permit = take();
        context.addEndHandler(ended -> permit.close());
        return permit;
    }

    /**
     * Takes a permit, given back by {@link Permit#close}.
     *
     * @throws TooManyReads when every permit is taken
     */
    public Permit take() {
        if (!permits.tryAcquire()) {
            throw new TooManyReads(max);
        }
        return new Permit();
    }

    /** Permits free now. */
    public int available() {
        return permits.availablePermits();
    }

    /** One permit, given back once however often it is closed. */
    public final class Permit implements AutoCloseable {
        private final AtomicBoolean held = new AtomicBoolean(true);

        private Permit() {
        }

        @Override
        public void close() {
            if (held.compareAndSet(true, false)) {
                permits.release();
            }
        }
    }
}
