package io.metricstore.watch;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * A task run on an executor whenever it is requested, but never twice at once: requests that arrive while it runs
 * make it run once more afterwards, however many they are. So a burst of changes costs one or two feed reads, and a
 * request is never lost (the run that follows it starts after it).
 */
public final class Coalesced {

    private static final Logger LOG = Logger.getLogger(Coalesced.class);
    private static final int IDLE = 0;
    private static final int RUNNING = 1;
    private static final int RUN_AGAIN = 2;

    private final Executor executor;
    private final Runnable task;
    private final AtomicInteger state = new AtomicInteger(IDLE);

    public Coalesced(Executor executor, Runnable task) {
        this.executor = executor;
        this.task = task;
    }

    /** Runs the task soon: now if it is idle, else once more after the current run. */
    public void request() {
        if (state.getAndUpdate(now -> Math.min(RUN_AGAIN, now + 1)) == IDLE) {
            try {
                executor.execute(this::run);
            } catch (RejectedExecutionException shuttingDown) {
                state.set(IDLE);
            }
        }
    }

    private void run() {
        boolean again = true;
        while (again) {
            try {
                task.run();
            } catch (RuntimeException failure) {
                LOG.debugf("coalesced task failed: %s", failure.getMessage());
            } finally {
                // Even after an Error: a state left RUNNING would never run the task again.
                again = state.decrementAndGet() > IDLE;
            }
        }
    }
}
