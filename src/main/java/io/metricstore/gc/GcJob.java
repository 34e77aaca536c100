package io.metricstore.gc;

import io.metricstore.store.MetricStore;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.event.Observes;
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

    /** Runs after readiness went DOWN and requests drained (quarkus.shutdown.delay, quarkus.shutdown.timeout). */
    void onStop(@Observes ShutdownEvent event) {
        try {
            store.releaseGcLock();
        } catch (RuntimeException unavailable) {
            LOG.debugf("GC lock not released at shutdown (it expires by itself): %s", unavailable.getMessage());
        }
    }

    @Scheduled(identity = "store-gc", every = "${store.gc.interval}", delayed = "${store.gc.interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void run() {
        store.scheduledGc().ifPresent(report -> LOG.debugf("GC removed %d series, %d locks, %d tombstones",
                report.expiredSeries(), report.expiredLocks(), report.trimmedTombstones()));
    }
}
