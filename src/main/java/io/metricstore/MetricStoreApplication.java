package io.metricstore;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * Starts the service. Quarkus' HTTP layer answers a URI that {@link java.net.URI} cannot parse with an empty 400
 * before any application code runs; {@code io.metricstore.api.UriCheck} refuses exactly those URIs (and escapes that
 * are not UTF-8) with a problem document that says how to send them, so Quarkus' own check is switched off here,
 * before the HTTP layer reads the switch. An explicit {@code -Dvertx.disableURIValidation} still wins.
 */
@QuarkusMain
public final class MetricStoreApplication {

    static final String URI_VALIDATION = "vertx.disableURIValidation";

    private MetricStoreApplication() {
    }

    public static void main(String... args) {
        if (System.getProperty(URI_VALIDATION) == null) {
            System.setProperty(URI_VALIDATION, "true");
        }
        Quarkus.run(args);
    }
}
