package io.metricstore.api;

import io.metricstore.store.FieldChecks;
import io.metricstore.store.StoreException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses lock TTLs: Go-style {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h30m}, or ISO-8601 {@code PT30S}. */
final class DurationText {

    private static final Pattern PART = Pattern.compile("(\\d{1,12})(ms|s|m|h)");
    private static final Pattern WHOLE = Pattern.compile("(?:\\d{1,12}(?:ms|s|m|h))+");

    private static final String TTL_FORMAT = "must be a duration such as 30s, 5m, 1h30m, 500ms or ISO-8601 PT30S";

    private DurationText() {
    }

    /** A lock or lease TTL: an absent one is left to the store to name; only text that is not a duration is refused. */
    static Duration ttl(String text) {
        if (text == null) {
            return null;
        }
        Duration ttl = parse(text);
        if (ttl == null) {
            throw new StoreException.Validation("ttl", TTL_FORMAT);
        }
        return ttl;
    }

    /** A long-poll's {@code wait}: absent is no wait; else a duration of at most {@code store.changes.max-wait}. */
    static Duration waitFor(String text) {
        return text == null || text.isEmpty() ? Duration.ZERO : parse(text);
    }

    /** Checks a {@link #waitFor} result (null when it was not a duration). */
    static FieldChecks checkWait(FieldChecks checks, Duration waiting, Duration maxWait) {
        return checks.require(waiting != null && !waiting.isNegative(), "wait", "must be a duration such as 30s or PT30S")
                .require(waiting == null || waiting.compareTo(maxWait) <= 0, "wait",
                        "must be at most store.changes.max-wait (" + maxWait + ")");
    }

    /** The duration, or null when the text is neither form (or overflows). */
    static Duration parse(String text) {
        if (text == null || text.length() > 64) {
            return null;
        }
        if (text.startsWith("P") || text.startsWith("p")) {
            try {
                return Duration.parse(text);
            } catch (DateTimeParseException | ArithmeticException e) {
                return null;
            }
        }
        if (!WHOLE.matcher(text).matches()) {
            return null;
        }
        try {
            Duration total = Duration.ZERO;
            Matcher part = PART.matcher(text);
            while (part.find()) {
                long amount = Long.parseLong(part.group(1));
                total = total.plus(switch (part.group(2)) {
                    case "ms" -> Duration.ofMillis(amount);
                    case "s" -> Duration.ofSeconds(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    default -> Duration.ofHours(amount);
                });
            }
            return total;
        } catch (ArithmeticException e) {
            return null;
        }
    }
}
