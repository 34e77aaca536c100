package io.metricstore.api;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Refuses a body whose declared length is over {@code quarkus.http.limits.max-body-size} with a problem document
 * before it is read. (Quarkus enforces the same limit itself, but answers with an empty 413 or a closed
 * connection; a chunked body without a length still gets that.)
 */
@Singleton
public class BodyLimit {

    private final long maxBodySize;

    public BodyLimit(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize) {
        this.maxBodySize = maxBodySize.asLongValue();
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(context -> {
            String length = context.request().getHeader("Content-Length");
            if (length != null && tooLong(length)) {
                Problem problem = Problem.of(ProblemType.BODY_TOO_LARGE, "the body is over "
                        + maxBodySize + " bytes (quarkus.http.limits.max-body-size)", context.request().path());
                context.response().setStatusCode(413)
                        .putHeader("Content-Type", Problem.MEDIA_TYPE)
                        .putHeader("Connection", "close")
                        .end(Json.encode(problem));
            } else {
                context.next();
            }
        });
    }

    private boolean tooLong(String length) {
        try {
            return Long.parseLong(length.trim()) > maxBodySize;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
