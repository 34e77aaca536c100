package io.metricstore.store;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.ChronoUnit;

/** Parses the RFC 3339 date-times of {@code updatedAt}, to the millisecond. */
final class Rfc3339 {

    /** RFC 3339: seconds are required, a fraction of up to nine digits is optional, 'T' and 'Z' in either case. */
    static final DateTimeFormatter FORMATTER = new DateTimeFormatterBuilder()
            .parseCaseInsensitive()
            .append(DateTimeFormatter.ISO_LOCAL_DATE)
            .appendLiteral('T')
            .appendValue(ChronoField.HOUR_OF_DAY, 2).appendLiteral(':')
            .appendValue(ChronoField.MINUTE_OF_HOUR, 2).appendLiteral(':')
            .appendValue(ChronoField.SECOND_OF_MINUTE, 2)
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
            .appendOffset("+HH:MM", "Z")
            .toFormatter();

    private Rfc3339() {
    }

    /** An RFC 3339 date-time to the millisecond, or null when the text is not one. */
    static Instant parse(String text) {
        Instant fast = parseCanonical(text);
        if (fast != null) {
            return fast;
        }
        try {
            return OffsetDateTime.parse(text, FORMATTER).toInstant().truncatedTo(ChronoUnit.MILLIS);
        } catch (DateTimeParseException | ArithmeticException e) {
            return null;
        }
    }

    /**
     * The usual form {@code 2026-01-02T15:04:05[.fraction](Z|+hh:mm)} without the general formatter, which is
     * several times slower. Anything else, valid or not, is left to the formatter (null here), so both paths
     * accept exactly the same texts.
     */
    private static Instant parseCanonical(String text) {
        int n = text.length();
        if (n < 20 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T'
                || text.charAt(13) != ':' || text.charAt(16) != ':') {
            return null;
        }
        int end = n;
        int offsetSeconds = 0;
        if (text.charAt(n - 1) == 'Z') {
            end = n - 1;
        } else if (n >= 25 && (text.charAt(n - 6) == '+' || text.charAt(n - 6) == '-') && text.charAt(n - 3) == ':') {
            int hours = digits(text, n - 5, n - 3);
            int minutes = digits(text, n - 2, n);
            if (hours < 0 || minutes < 0 || hours > 18 || minutes > 59) {
                return null;
            }
            offsetSeconds = (text.charAt(n - 6) == '+' ? 1 : -1) * (hours * 3600 + minutes * 60);
            end = n - 6;
        } else {
            return null;
        }
        int nanos = 0;
        if (end > 19) {
            int digits = end - 20;
            if (text.charAt(19) != '.' || digits < 1 || digits > 9) {
                return null;
            }
            nanos = digits(text, 20, end);
            if (nanos < 0) {
                return null;
            }
            for (int i = digits; i < 9; i++) {
                nanos *= 10;
            }
        } else if (end != 19) {
            return null;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 7);
        int day = digits(text, 8, 10);
        int hour = digits(text, 11, 13);
        int minute = digits(text, 14, 16);
        int second = digits(text, 17, 19);
        if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) {
            return null;
        }
        try {
            return OffsetDateTime.of(year, month, day, hour, minute, second, nanos,
                    ZoneOffset.ofTotalSeconds(offsetSeconds)).toInstant()
                    .truncatedTo(ChronoUnit.MILLIS);
        } catch (DateTimeException outOfRange) {
            return null;
        }
    }

    /** The decimal value of {@code text[from, to)}, or -1 when any character is not a digit. */
    private static int digits(String text, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
