package io.metricstore.store;

import io.metricstore.store.model.FieldError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Collects the field errors of one request so that a refusal names all of them at once: every error is counted, but
 * at most a cap of them is listed, so input with millions of bad fields costs a count, not millions of error objects.
 */
public final class FieldChecks {

    /** The longest lock key, in characters. */
    static final int MAX_KEY_LENGTH = 256;
    /** The longest owner token. */
    static final int MAX_TOKEN_LENGTH = 128;

    private final List<FieldError> listed = new ArrayList<>();
    private final int maxListed;
    private int count;

    private FieldChecks(int maxListed) {
        this.maxListed = maxListed;
    }

    /** For a call that checks a fixed handful of fields: all its errors are listed. */
    public static FieldChecks of() {
        return new FieldChecks(Integer.MAX_VALUE);
    }

    /** For checks that grow with the input (a batch's points and families): lists at most {@code maxListed}. */
    static FieldChecks capped(int maxListed) {
        return new FieldChecks(maxListed);
    }

    public FieldChecks require(boolean condition, String field, String message) {
        if (!condition) {
            add(field, message);
        }
        return this;
    }

    void add(String field, String message) {
        if (count++ < maxListed) {
            listed.add(new FieldError(field, message));
        }
    }

    /** Counts an error, and builds it (its path, its message) only while it is still to be listed. */
    void add(Supplier<FieldError> error) {
        if (count++ < maxListed) {
            listed.add(error.get());
        }
    }

    /** A metric name, as a filter: the same grammar a written point's name follows. */
    FieldChecks metricName(String field, String name) {
        return require(MetricNames.isMetricName(name), field,
                "must be a metric name matching " + MetricNames.METRIC_NAME);
    }

    /** Lock keys: 1 to 256 printable characters (no control, format or unassigned code points). */
    FieldChecks key(String key) {
        return key("key", key);
    }

    /** Lock keys and lease names (and a lease's holder text): 1 to 256 printable characters. */
    FieldChecks key(String field, String key) {
        if (key == null) {
            return require(false, field, "is required");
        }
        if (key.isEmpty()) {
            return require(false, field, "must be 1 to " + MAX_KEY_LENGTH + " printable characters, not empty");
        }
        int length = key.codePointCount(0, key.length());
        return require(length <= MAX_KEY_LENGTH, field,
                "is longer than " + MAX_KEY_LENGTH + " characters")
                .require(key.codePoints().allMatch(FieldChecks::printable), field, "must be printable characters");
    }

    /** Owner tokens travel in a header too, so they are printable ASCII without spaces. */
    FieldChecks token(String field, String token) {
        if (token == null || token.isEmpty()) {
            return require(false, field, "is required");
        }
        return require(token.length() <= MAX_TOKEN_LENGTH && token.chars().allMatch(c -> c > 0x20 && c < 0x7f), field,
                "must be 1 to " + MAX_TOKEN_LENGTH + " printable ASCII characters without spaces");
    }

    /** A page size of the change feed. */
    public FieldChecks limit(int limit) {
        return require(limit >= 1 && limit <= MetricStore.MAX_CHANGES_LIMIT, "limit",
                "must be an integer from 1 to " + MetricStore.MAX_CHANGES_LIMIT);
    }

    FieldChecks ttl(Duration ttl, Duration max) {
        if (ttl == null) {
            return require(false, "ttl", "is required");
        }
        // Compared as durations: a huge TTL must be refused, not overflow a conversion to milliseconds.
        return require(ttl.compareTo(Duration.ofMillis(1)) >= 0, "ttl", "must be at least 1ms")
                .require(ttl.compareTo(max) <= 0, "ttl", "must be at most store.locks.max-ttl (" + max + ")");
    }

    /** How many errors were found so far, listed or not. */
    int count() {
        return count;
    }

    public void orThrow() {
        if (count > 0) {
            throw new StoreException.Validation(listed, count);
        }
    }

    private static boolean printable(int codePoint) {
        return switch (Character.getType(codePoint)) {
            case Character.CONTROL, Character.FORMAT, Character.UNASSIGNED, Character.SURROGATE,
                    Character.PRIVATE_USE, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> false;
            default -> true;
        };
    }
}
