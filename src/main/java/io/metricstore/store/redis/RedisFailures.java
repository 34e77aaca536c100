package io.metricstore.store.redis;

import io.metricstore.store.BackendUnavailableException;
import io.vertx.redis.client.Response;
import java.util.Set;

/** Sorts what the Redis client throws into "Redis is unavailable now" and "this is a bug". */
final class RedisFailures {

    /** Error replies that mean the server cannot serve right now, not that the command was wrong. */
    private static final Set<String> TRANSIENT = Set.of("LOADING", "BUSY", "MASTERDOWN", "READONLY", "CLUSTERDOWN",
            "TRYAGAIN", "MOVED", "ASK", "NOREPLICAS", "OOM");

    private RedisFailures() {
    }

    static boolean isNoScript(Throwable failure) {
        String reply = errorReply(failure);
        return reply != null && reply.startsWith("NOSCRIPT");
    }

    /**
     * An unavailability to answer with 503, or the failure itself when Redis rejected a command (a bug here, which
     * retrying cannot fix).
     */
    static RuntimeException translate(RuntimeException failure) {
        String reply = errorReply(failure);
        if (reply != null) {
            int space = reply.indexOf(' ');
            String code = space < 0 ? reply : reply.substring(0, space);
            if (!TRANSIENT.contains(code)) {
                return new IllegalStateException("Redis refused a command: " + reply, failure);
            }
        }
        return new BackendUnavailableException("Redis is unavailable: " + describe(failure), failure);
    }

    private static String errorReply(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof Response) {
                return t.getMessage() == null ? "" : t.getMessage();
            }
        }
        return null;
    }

    private static String describe(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
