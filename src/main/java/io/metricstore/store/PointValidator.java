package io.metricstore.store;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The validation rules of points and family descriptions, applied to every write on every backend. Collects every
 * error so that one refusal names all of them.
 */
public final class PointValidator {

    static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    /** RFC 3339: seconds are required, a fraction of up to nine digits is optional, 'T' and 'Z' in either case. */
    private static final DateTimeFormatter RFC_3339 = new DateTimeFormatterBuilder()
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
        for (int i = 0; i < points.size(); i++) {
            MetricPoint point = validate("points[" + i + "]", points.get(i), now, errors);
            if (point != null) {
                valid.add(point);
            }
        }
        return valid;
    }

    private MetricPoint validate(String path, RawPoint raw, Instant now, List<FieldError> errors) {
        if (raw == null) {
            errors.add(new FieldError(path, "must be an object"));
            return null;
        }
        int before = errors.size();
        checkName(path + ".name", raw.name(), errors);
        TreeMap<String, String> labels = labels(path + ".labels", raw.labels(), errors);
        double value = value(path + ".value", raw.value(), errors);
        Instant updatedAt = updatedAt(path + ".updatedAt", raw.updatedAt(), now, errors);
        if (errors.size() > before) {
            return null;
        }
        return new MetricPoint(raw.name(), labels, value, updatedAt);
    }

    private void checkName(String field, String name, List<FieldError> errors) {
        if (name == null || name.isEmpty()) {
            errors.add(new FieldError(field, "is required"));
        } else if (name.length() > limits.maxNameLength()) {
            errors.add(new FieldError(field, "is longer than " + limits.maxNameLength() + " characters"));
        } else if (!METRIC_NAME.matcher(name).matches()) {
            errors.add(new FieldError(field, "must match [a-zA-Z_:][a-zA-Z0-9_:]*"));
        }
    }

    private TreeMap<String, String> labels(String field, Map<String, String> raw, List<FieldError> errors) {
        TreeMap<String, String> labels = new TreeMap<>();
        if (raw == null) {
            return labels;
        }
        for (Map.Entry<String, String> label : raw.entrySet()) {
            String name = label.getKey();
            String value = label.getValue();
            String at = field + "." + name;
            if (name.length() > limits.maxLabelNameLength()) {
                errors.add(new FieldError(at, "label name is longer than " + limits.maxLabelNameLength() + " characters"));
            } else if (!LABEL_NAME.matcher(name).matches()) {
                errors.add(new FieldError(at, "label name must match [a-zA-Z_][a-zA-Z0-9_]*"));
            } else if (name.startsWith("__")) {
                errors.add(new FieldError(at, "label names starting with __ are reserved"));
            } else if (value == null) {
                errors.add(new FieldError(at, "label value must be a string"));
            } else if (!wellFormed(value)) {
                errors.add(new FieldError(at, "label value is not valid Unicode (a lone surrogate)"));
            } else if (value.length() > limits.maxLabelValueLength()) {
                errors.add(new FieldError(at, "label value is longer than " + limits.maxLabelValueLength() + " characters"));
            } else if (!value.isEmpty()) {
                // An empty value is how Prometheus spells an absent label, so it is dropped rather than stored.
                labels.put(name, value);
            }
        }
        if (labels.size() > limits.maxLabels()) {
            errors.add(new FieldError(field, "has " + labels.size() + " labels, more than " + limits.maxLabels()));
        }
        return labels;
    }

    /** No lone surrogates: such text has no UTF-8 form, so Redis and memory would not store the same series. */
    private static boolean wellFormed(String text) {
        return text.codePoints().noneMatch(c -> Character.getType(c) == Character.SURROGATE);
    }

    private static double value(String field, RawPoint.RawValue raw, List<FieldError> errors) {
        if (raw == null || raw.text() == null) {
            errors.add(new FieldError(field, "is required"));
            return Double.NaN;
        }
        if (raw.quoted()) {
            Double special = SampleValue.special(raw.text());
            if (special == null) {
                errors.add(new FieldError(field, "must be a number or one of \"NaN\", \"+Inf\", \"-Inf\""));
                return Double.NaN;
            }
            return special;
        }
        double value;
        try {
            value = Double.parseDouble(raw.text());
        } catch (NumberFormatException e) {
            errors.add(new FieldError(field, "must be a number"));
            return Double.NaN;
        }
        if (!Double.isFinite(value)) {
            errors.add(new FieldError(field, "is out of the range of a 64-bit float; send \"+Inf\" or \"-Inf\" for infinities"));
        }
        return value;
    }

    private Instant updatedAt(String field, String text, Instant now, List<FieldError> errors) {
        if (text == null) {
            return now.truncatedTo(ChronoUnit.MILLIS);
        }
        Instant at;
        try {
            at = OffsetDateTime.parse(text, RFC_3339).toInstant().truncatedTo(ChronoUnit.MILLIS);
        } catch (DateTimeParseException | ArithmeticException e) {
            errors.add(new FieldError(field, "must be an RFC 3339 date-time such as 2026-01-02T15:04:05Z"));
            return null;
        }
        if (at.isAfter(now.plus(maxClockSkew))) {
            errors.add(new FieldError(field, "is more than store.max-clock-skew (" + maxClockSkew + ") in the future"));
        } else if (!at.plus(retention).isAfter(now)) {
            errors.add(new FieldError(field, "is older than store.retention (" + retention + ")"));
        }
        return at;
    }
}
