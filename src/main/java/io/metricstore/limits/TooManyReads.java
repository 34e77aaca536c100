package io.metricstore.limits;

/** Every permit for expensive reads is taken: 503 with {@code Retry-After}. */
public final class TooManyReads extends RuntimeException {

    public TooManyReads(int max) {
        super("this replica already serves " + max + " snapshots and /metrics scrapes (store.limits.max-concurrent-reads):"
                + " retry shortly, or follow the change feed instead of taking snapshots", null, false, false);
    }
}
