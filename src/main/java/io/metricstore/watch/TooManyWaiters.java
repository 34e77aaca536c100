package io.metricstore.watch;

/** Every waiting slot of this replica ({@code store.changes.max-waiters}) is taken: 503 with {@code Retry-After}. */
public final class TooManyWaiters extends RuntimeException {

    public TooManyWaiters(int maxWaiters) {
        super("this replica already holds " + maxWaiters + " long-polls (of the feed and of leases) and streams "
                + "(store.changes.max-waiters): retry shortly, or poll without wait");
    }
}
