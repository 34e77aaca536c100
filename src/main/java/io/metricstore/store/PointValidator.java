package io.metricstore.store;

import io.metricstore.store.model.Family;
import io.metricstore.store.model.FieldError;
import io.metricstore.store.model.MetricPoint;
import io.metricstore.store.model.MetricType;
import io.metricstore.store.model.SampleValue;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The validation rules of points and family descriptions, applied to every write on every backend. Collects every
 * error so that one refusal names all of them.
 */
public final class PointValidator {

    /** RFC 3339: seconds are required, a fraction of up to nine digits is optional, 'T' and 'Z' in either case. */
    static final DateTimeFormatter RFC_3339 = new DateTimeFormatterBuilder()
            .parseCaseInsensitive()
            .append(DateTimeFormatter.ISO_LOCAL_DATE)
            .appendLiteral('T')
            .appendValue(ChronoField.HOUR_OF_DAY, 2).appendLiteral(':')
            .appendValue(ChronoField.MINUTE_OF_HOUR, 2).appendLiteral(':')
            .appendValue(ChronoField.SECOND_OF_MINUTE, 2)
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
            .appendOffset("+HH:MM", "Z")
            .toFormatter();

    private final StoreConfig.Limits limits;
    private final Duration retention;
    private final Duration maxClockSkew;

    public PointValidator(StoreConfig config) {
        this.limits = config.limits();
        this.retention = config.retention();
        this.maxClockSkew = config.maxClockSkew();
    }

    /** Families: a metric name, one of the five types (untyped when absent), an optional help text of bounded length. */
    List<Family> validateFamilies(Map<String, RawFamily> families, List<FieldError> errors) {
        List<Family> valid = new ArrayList<>();
        if (families == null) {
            return valid;
        }
        for (Map.Entry<String, RawFamily> entry : families.entrySet()) {
            String path = "families." + entry.getKey();
            RawFamily raw = entry.getValue();
            int before = errors.size();
            checkName(path, entry.getKey(), errors);
            if (raw == null) {
                errors.add(new FieldError(path, "must be an object with type and help"));
                continue;
            }
            MetricType type = raw.type() == null ? MetricType.UNTYPED : MetricType.parse(raw.type()).orElse(null);
            if (type == null) {
                errors.add(new FieldError(path + ".type",
                        "must be one of \"counter\", \"gauge\", \"histogram\", \"summary\", \"untyped\""));
            }
            String help = raw.help() == null ? "" : raw.help();
            if (!wellFormed(help)) {
                errors.add(new FieldError(path + ".help", "is not valid Unicode (a lone surrogate)"));
            } else if (help.length() > limits.maxHelpLength()) {
                errors.add(new FieldError(path + ".help", "is longer than " + limits.maxHelpLength() + " characters"));
            }
            if (errors.size() == before) {
                valid.add(new Family(entry.getKey(), type, help));
            }
        }
        return valid;
    }

    /** The valid points in input order; every error of every point is added to {@code errors}. */
    List<MetricPoint> validatePoints(List<RawPoint> points, Instant now, List<FieldError> errors) {
        List<MetricPoint> valid = new ArrayList<>(points.size());
        // A batch is usually one scrape, so its points share one timestamp text: parse it once.
        Timestamps timestamps = new Timestamps();
        for (int i = 0; i < points.size(); i++) {
            MetricPoint point = validate(i, points.get(i), now, timestamps, errors);
            if (point != null) {
                valid.add(point);
            }
        }
        return valid;
    }

    /** Field paths are built only for an error: a valid batch of a thousand points allocates none. */
    private static String path(int index, String field) {
        return "points[" + index + "]" + (field.isEmpty() ? "" : "." + field);
    }

    private MetricPoint validate(int index, RawPoint raw, Instant now, Timestamps timestamps,
            List<FieldError> errors) {
        if (raw == null) {
            errors.add(new FieldError(path(index, ""), "must be an object"));
            return null;
        }
        int before = errors.size();
        String nameProblem = nameProblem(raw.name());
        if (nameProblem != null) {
            errors.add(new FieldError(path(index, "name"), nameProblem));
        }
        TreeMap<String, String> labels = labels(index, raw.labels(), errors);
        double value = value(index, raw.value(), errors);
        Instant updatedAt = updatedAt(index, raw.updatedAt(), now, timestamps, errors);
        if (errors.size() > before) {
            return null;
        }
        return new MetricPoint(raw.name(), labels, value, updatedAt);
    }

    private void checkName(String field, String name, List<FieldError> errors) {
        String problem = nameProblem(name);
        if (problem != null) {
            errors.add(new FieldError(field, problem));
        }
    }

    private String nameProblem(String name) {
        if (name == null || name.isEmpty()) {
            return "is required";
        } else if (name.length() > limits.maxNameLength()) {
            return "is longer than " + limits.maxNameLength() + " characters";
        } else if (!isMetricName(name)) {
            return "must match [a-zA-Z_:][a-zA-Z0-9_:]*";
        }
        return null;
    }

    /** {@code [a-zA-Z_:][a-zA-Z0-9_:]*}. */
    static boolean isMetricName(String name) {
        return isName(name, true);
    }

    /** {@code [a-zA-Z_][a-zA-Z0-9_]*}. */
    static boolean isLabelName(String name) {
        return isName(name, false);
    }

    /** Checked by hand: a regex matcher per name was a top allocation of ingest. */
    private static boolean isName(String name, boolean colons) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colons && c == ':')
                    || (i > 0 && c >= '0' && c <= '9');
            if (!allowed) {
                return false;
            }
        }
        return true;
    }

    private TreeMap<String, String> labels(int index, Map<String, String> raw, List<FieldError> errors) {
        TreeMap<String, String> labels = new TreeMap<>();
        if (raw == null) {
            return labels;
        }
        for (Map.Entry<String, String> label : raw.entrySet()) {
            String name = label.getKey();
            String value = label.getValue();
            String problem = labelProblem(name, value);
            if (problem != null) {
                errors.add(new FieldError(path(index, "labels." + name), problem));
            } else if (!value.isEmpty()) {
                // An empty value is how Prometheus spells an absent label, so it is dropped rather than stored.
                labels.put(name, value);
            }
        }
        if (labels.size() > limits.maxLabels()) {
            errors.add(new FieldError(path(index, "labels"),
                    "has " + labels.size() + " labels, more than " + limits.maxLabels()));
        }
        return labels;
    }

    private String labelProblem(String name, String value) {
        if (name.length() > limits.maxLabelNameLength()) {
            return "label name is longer than " + limits.maxLabelNameLength() + " characters";
        } else if (!isLabelName(name)) {
            return "label name must match [a-zA-Z_][a-zA-Z0-9_]*";
        } else if (name.startsWith("__")) {
            return "label names starting with __ are reserved";
        } else if (value == null) {
            return "label value must be a string";
        } else if (!wellFormed(value)) {
            return "label value is not valid Unicode (a lone surrogate)";
        } else if (value.length() > limits.maxLabelValueLength()) {
            return "label value is longer than " + limits.maxLabelValueLength() + " characters";
        }
        return null;
    }

    /** No lone surrogates: such text has no UTF-8 form, so Redis and memory would not store the same series. */
    private static boolean wellFormed(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private static double value(int index, RawPoint.RawValue raw, List<FieldError> errors) {
        if (raw == null || raw.text() == null) {
            errors.add(new FieldError(path(index, "value"), "is required"));
            return Double.NaN;
        }
        if (raw.quoted()) {
            Double special = SampleValue.special(raw.text());
            if (special == null) {
                errors.add(new FieldError(path(index, "value"), "must be a number or one of \"NaN\", \"+Inf\", \"-Inf\""));
                return Double.NaN;
            }
            return special;
        }
        double value;
        try {
            value = Double.parseDouble(raw.text());
        } catch (NumberFormatException e) {
            errors.add(new FieldError(path(index, "value"), "must be a number"));
            return Double.NaN;
        }
        if (!Double.isFinite(value)) {
            errors.add(new FieldError(path(index, "value"), "is out of the range of a 64-bit float; send \"+Inf\" or \"-Inf\" for infinities"));
        }
        return value;
    }

    private Instant updatedAt(int index, String text, Instant now, Timestamps timestamps, List<FieldError> errors) {
        if (text == null) {
            return now.truncatedTo(ChronoUnit.MILLIS);
        }
        Instant at = timestamps.parse(text);
        if (at == null) {
            errors.add(new FieldError(path(index, "updatedAt"), "must be an RFC 3339 date-time such as 2026-01-02T15:04:05Z"));
            return null;
        }
        if (at.isAfter(now.plus(maxClockSkew))) {
            errors.add(new FieldError(path(index, "updatedAt"), "is more than store.max-clock-skew (" + maxClockSkew + ") in the future"));
        } else if (!at.plus(retention).isAfter(now)) {
            errors.add(new FieldError(path(index, "updatedAt"), "is older than store.retention (" + retention + ")"));
        }
        return at;
    }

    /** RFC 3339 parsing for one batch, remembering the last text parsed. */
    private static final class Timestamps {
        private String lastText;
        private Instant lastInstant;

        /** The instant to the millisecond, or null when the text is not an RFC 3339 date-time. */
        Instant parse(String text) {
            if (!text.equals(lastText)) {
                lastInstant = parseTimestamp(text);
                lastText = text;
            }
            return lastInstant;
        }
    }

    /** An RFC 3339 date-time to the millisecond, or null when the text is not one. */
    static Instant parseTimestamp(String text) {
        Instant fast = parseCanonical(text);
        if (fast != null) {
            return fast;
        }
        try {
            return OffsetDateTime.parse(text, RFC_3339).toInstant().truncatedTo(ChronoUnit.MILLIS);
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
