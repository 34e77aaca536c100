package io.metricstore.store;

import io.metricstore.store.model.Family;
import io.metricstore.store.model.FieldError;
import io.metricstore.store.model.MetricPoint;
import io.metricstore.store.model.MetricType;
import io.metricstore.store.model.SampleValue;
import io.metricstore.store.model.WireName;
import java.time.Duration;
import java.time.Instant;
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
                        "must be one of " + WireName.choices(MetricType.values())));
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
        } else if (!MetricNames.isMetricName(name)) {
            return "must match " + MetricNames.METRIC_NAME;
        }
        return null;
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
        } else if (!MetricNames.isLabelName(name)) {
            return "label name must match " + MetricNames.LABEL_NAME;
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
                lastInstant = Rfc3339.parse(text);
                lastText = text;
            }
            return lastInstant;
        }
    }
}
