package io.metricstore.gc;

import io.metricstore.store.MetricStore;
import io.quarkus.scheduler.Scheduled;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * Runs the store's GC every {@code store.gc.interval}; a run still going when the next is due is skipped, and with a
 * shared backend only the replica holding the GC lock does the work.
 */
@Singleton
public class GcJob {

    private static final Logger LOG = Logger.getLogger(GcJob.class);

    private final MetricStore store;

    public GcJob(MetricStore store) {
        this.store = store;
    }

    @Scheduled(identity = "store-gc", every = "${store.gc.interval}", delayed = "${store.gc.interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void run() {
        store.scheduledGc().ifPresent(report -> LOG.debugf("GC removed %d series, %d locks, %d tombstones",
                report.expiredSeries(), report.expiredLocks(), report.trimmedTombstones()));
    }
}
