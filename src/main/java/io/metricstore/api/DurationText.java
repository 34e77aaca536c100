package io.metricstore.api;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses lock TTLs: Go-style {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h30m}, or ISO-8601 {@code PT30S}. */
final class DurationText {

    private static final Pattern PART = Pattern.compile("(\\d{1,12})(ms|s|m|h)");
    private static final Pattern WHOLE = Pattern.compile("(?:\\d{1,12}(?:ms|s|m|h))+");

    private DurationText() {
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
