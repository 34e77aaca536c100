package io.metricstore.api;

import io.metricstore.store.BackendUnavailableException;
import io.metricstore.store.StoreException;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * A refusal whose client has already gone (it closed the connection while the call ran) has nobody to reach; Mutiny
 * hands it to its dropped-exception handler, which logs every one as an error. A client that goes away is no fault
 * of the service's: such refusals are logged at debug, anything else still as an error.
 */
@ApplicationScoped
public class DroppedAnswers {

    private static final Logger LOG = Logger.getLogger(DroppedAnswers.class);

    void onStart(@Observes StartupEvent event) {
        Infrastructure.setDroppedExceptionHandler(DroppedAnswers::dropped);
    }

    static void dropped(Throwable failure) {
        if (failure instanceof StoreException || failure instanceof BackendUnavailableException) {
            LOG.debugf("an answer nobody waited for any more (the client left): %s", failure.getMessage());
        } else {
            LOG.error("a failure nobody waited for any more", failure);
        }
    }
}
