package io.metricstore.store.redis;

import io.metricstore.store.BackendUnavailableException;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/** Sorts what the Redis client throws into "Redis is unavailable now" and "this is a bug". */
final class RedisFailures {

    /**
     * Error replies that mean this code sent a wrong command or script: a bug, which retrying cannot fix. Every
     * other reply (LOADING, READONLY, MISCONF, NOAUTH, OOM, "max number of clients", …) means the server cannot
     * serve now, which is an outage to answer with 503.
     */
    private static final List<String> BUGS = List.of("WRONGTYPE", "ERR Error running script", "ERR user_script",
            "ERR Error compiling script", "ERR wrong number of arguments", "ERR unknown command",
            "ERR Unknown Redis command", "ERR syntax error");
    /**
     * Outages that a script runs into, which Redis reports behind a script error: Redis 6.2 wraps every error raised
     * inside a script as {@code ERR Error running script …: -OOM …} (Redis 7 keeps the code in front), and both report
     * a key outside the node's slots (during a slot migration), a cluster that is down and a killed script without
     * any code; so does Redis 6.2 a command the ACL user may not run. The wrapper alone would read as a bug.
     */
    private static final Pattern OUTAGE_IN_SCRIPT = Pattern.compile(
            "[\\s:-](OOM|READONLY|MISCONF|BUSY|LOADING|NOREPLICAS|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|MOVED|ASK|NOPERM"
                    + "|NOORIGIN) |(?i:non local key|cluster is down|script killed by user|can't run this command)");

    /**
     * Replies by which a server that is up refuses writes only (see {@link WritesRefused}), in front or, on Redis 6.2,
     * behind a script error; reads never run into them.
     */
    private static final Pattern WRITES_REFUSED = Pattern.compile("(^|[\\s:-])(OOM|READONLY|MISCONF|NOREPLICAS) ");

    private RedisFailures() {
    }

    static boolean isNoScript(Throwable failure) {
        String reply = errorReply(failure);
        return reply != null && reply.startsWith("NOSCRIPT");
    }

    /**
     * An unavailability to answer with 503 ({@link WritesRefused} when Redis refuses writes only), or the failure
     * itself when Redis rejected a command (a bug here, which retrying cannot fix).
     */
    static RuntimeException translate(RuntimeException failure, Duration retryAfter) {
        String reply = errorReply(failure);
        if (reply != null && BUGS.stream().anyMatch(reply::startsWith) && !OUTAGE_IN_SCRIPT.matcher(reply).find()) {
            return new IllegalStateException("Redis refused a command: " + reply, failure);
        }
        if (reply != null && WRITES_REFUSED.matcher(reply).find()) {
            return new WritesRefused("Redis refuses writes: " + describe(failure) + " (reads are still served)",
                    failure, retryAfter);
        }
        return new BackendUnavailableException("Redis is unavailable: " + describe(failure), failure, retryAfter);
    }

    private static String errorReply(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof Response) {
                return t.getMessage() == null ? "" : t.getMessage();
            }
        }
        return null;
    }

    /** The root cause's message, for logs and problem details. */
    static String describe(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
