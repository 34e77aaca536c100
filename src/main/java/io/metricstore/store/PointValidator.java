package io.metricstore.store;

import io.metricstore.store.model.Family;
import io.metricstore.store.model.FieldError;
import io.metricstore.store.model.MetricPoint;
import io.metricstore.store.model.MetricType;
import io.metricstore.store.model.SampleValue;
import io.metricstore.store.model.WireName;
import io.metricstore.store.model.WriteSource;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The validation rules of points and family descriptions, applied to every write on every backend. Collects every
 * error so that one refusal names all of them (listing at most {@code store.limits.max-errors}: past that, an error is
 * counted without building its path or message).
 */
public final class PointValidator {

    /**
     * How far a {@code worker_backfill} point may lie in the future (SPEC §6): a backfill records the past, so a time
     * ahead of the server's is a wrong clock, and such a point would win over every fresh scrape until then.
     */
    static final Duration MAX_BACKFILL_AHEAD = Duration.ofSeconds(1);

    private final StoreConfig.Limits limits;
    private final Duration retention;
    private final Duration maxClockSkew;
    private final Duration maxBackfillAhead;
    // Messages that depend only on the configuration, built once rather than for every bad field.
    private final String nameTooLong;
    private final String labelNameTooLong;
    private final String labelValueTooLong;
    private final String scrapeAhead;
    private final String backfillAhead;
    private final String tooOld;

    public PointValidator(StoreConfig config) {
        this.limits = config.limits();
        this.retention = config.retention();
        this.maxClockSkew = config.maxClockSkew();
        // Never more than a scrape may: an operator who allows scrapes no skew allows backfills none either.
        this.maxBackfillAhead = MAX_BACKFILL_AHEAD.compareTo(maxClockSkew) < 0 ? MAX_BACKFILL_AHEAD : maxClockSkew;
        this.nameTooLong = "is longer than " + limits.maxNameLength() + " characters";
        this.labelNameTooLong = "label name is longer than " + limits.maxLabelNameLength() + " characters";
        this.labelValueTooLong = "label value is longer than " + limits.maxLabelValueLength() + " characters";
        this.scrapeAhead = "is more than store.max-clock-skew (" + maxClockSkew + ") in the future";
        this.backfillAhead = "is more than " + maxBackfillAhead + " in the future: a worker_backfill point records "
                + "the past, so send the time its value was observed (is the worker's clock ahead?)";
        this.tooOld = "is older than store.retention (" + retention + ")";
    }

    /** Families: a metric name, one of the five types (untyped when absent), an optional help text of bounded length. */
    List<Family> validateFamilies(Map<String, RawFamily> families, FieldChecks errors) {
        List<Family> valid = new ArrayList<>();
        for (Map.Entry<String, RawFamily> entry : families.entrySet()) {
            String path = "families." + entry.getKey();
            RawFamily raw = entry.getValue();
            int before = errors.count();
            checkName(path, entry.getKey(), errors);
            if (raw == null) {
                errors.add(path, "must be an object with type and help");
                continue;
            }
            MetricType type = raw.type() == null ? MetricType.UNTYPED : MetricType.parse(raw.type()).orElse(null);
            if (type == null) {
                errors.add(path + ".type", "must be one of " + WireName.choices(MetricType.values()));
            } else if (type == MetricType.COUNTER && "_total".equals(entry.getKey())) {
                // The exposition names a counter family without its _total (FamilyIndex): this one would have no name.
                errors.add(path, "a counter's family name is its name without _total, which leaves nothing here: "
                        + "name the counter after what it counts, such as requests_total");
            }
            String help = raw.help() == null ? "" : raw.help();
            if (!wellFormed(help)) {
                errors.add(path + ".help", "is not valid Unicode (a lone surrogate)");
            } else if (help.length() > limits.maxHelpLength()) {
                errors.add(path + ".help", "is longer than " + limits.maxHelpLength() + " characters");
            }
            if (errors.count() == before) {
                valid.add(new Family(entry.getKey(), type, help));
            }
        }
        return valid;
    }

    /** The valid points in input order; every error of every point is counted in {@code errors}. */
    List<MetricPoint> validatePoints(List<RawPoint> points, WriteSource source, Instant now, FieldChecks errors) {
        List<MetricPoint> valid = new ArrayList<>(points.size());
        Duration maxAhead = source == WriteSource.WORKER_BACKFILL ? maxBackfillAhead : maxClockSkew;
        String aheadMessage = source == WriteSource.WORKER_BACKFILL ? backfillAhead : scrapeAhead;
        Instant latest = now.plus(maxAhead);
        // A batch is usually one scrape, so its points share one timestamp text: parse it once.
        Timestamps timestamps = new Timestamps();
        for (int i = 0; i < points.size(); i++) {
            MetricPoint point = validate(i, points.get(i), now, latest, aheadMessage, timestamps, errors);
            if (point != null) {
                valid.add(point);
            }
        }
        return valid;
    }

    /** Field paths are built only for an error that is listed: a valid batch of a thousand points allocates none. */
    private static String path(int index, String field) {
        return "points[" + index + "]" + (field.isEmpty() ? "" : "." + field);
    }

    /** Counts an error of point {@code index}; its path is built only if it is listed. */
    private static void fail(FieldChecks errors, int index, String field, String message) {
        errors.add(() -> new FieldError(path(index, field), message));
    }

    private MetricPoint validate(int index, RawPoint raw, Instant now, Instant latest, String aheadMessage,
            Timestamps timestamps, FieldChecks errors) {
        if (raw == null) {
            fail(errors, index, "", "must be an object");
            return null;
        }
        int before = errors.count();
        String nameProblem = nameProblem(raw.name());
        if (nameProblem != null) {
            fail(errors, index, "name", nameProblem);
        }
        TreeMap<String, String> labels = labels(index, raw.labels(), errors);
        boolean identityValid = errors.count() == before;
        double value = value(index, raw.value(), errors);
        Instant updatedAt = updatedAt(index, raw.updatedAt(), now, latest, aheadMessage, timestamps, errors);
        if (identityValid) {
            int bytes = seriesBytes(raw.name(), labels);
            if (bytes > limits.maxSeriesBytes()) {
                errors.add(() -> new FieldError(path(index, ""), "is a series of " + bytes + " bytes (its name, label "
                        + "names and values in UTF-8), more than store.limits.max-series-bytes ("
                        + limits.maxSeriesBytes() + "): shorten or drop labels"));
            }
        }
        if (errors.count() > before) {
            return null;
        }
        return new MetricPoint(raw.name(), labels, value, updatedAt);
    }

    /** What a series costs to hold, as the budget counts it: its name, label names and values, in UTF-8 bytes. */
    private static int seriesBytes(String name, Map<String, String> labels) {
        int bytes = utf8Length(name);
        for (Map.Entry<String, String> label : labels.entrySet()) {
            bytes += utf8Length(label.getKey()) + utf8Length(label.getValue());
        }
        return bytes;
    }

    /** Counted without encoding: the text is well-formed (checked before), so a surrogate pair is four bytes. */
    static int utf8Length(String text) {
        int bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    private void checkName(String field, String name, FieldChecks errors) {
        String problem = nameProblem(name);
        if (problem != null) {
            errors.add(field, problem);
        }
    }

    private String nameProblem(String name) {
        if (name == null || name.isEmpty()) {
            return "is required";
        } else if (name.length() > limits.maxNameLength()) {
            return nameTooLong;
        } else if (!MetricNames.isMetricName(name)) {
            return "must match " + MetricNames.METRIC_NAME;
        }
        return null;
    }

    private TreeMap<String, String> labels(int index, Map<String, String> raw, FieldChecks errors) {
        TreeMap<String, String> labels = new TreeMap<>();
        if (raw == null) {
            return labels;
        }
        // Counted as sent, before any label is checked: a point of a million bad labels is one error, not a million.
        if (raw.size() > limits.maxLabels()) {
            int sent = raw.size();
            errors.add(() -> new FieldError(path(index, "labels"), "has " + sent + " labels, more than "
                    + "store.limits.max-labels (" + limits.maxLabels() + "); labels with empty values count too"));
            return labels;
        }
        for (Map.Entry<String, String> label : raw.entrySet()) {
            String name = label.getKey();
            String value = label.getValue();
            String problem = labelProblem(name, value);
            if (problem != null) {
                errors.add(() -> new FieldError(path(index, "labels." + name), problem));
            } else if (!value.isEmpty()) {
                // An empty value is how Prometheus spells an absent label, so it is dropped rather than stored.
                labels.put(name, value);
            }
        }
        return labels;
    }

    private String labelProblem(String name, String value) {
        if (name.length() > limits.maxLabelNameLength()) {
            return labelNameTooLong;
        } else if (!MetricNames.isLabelName(name)) {
            return "label name must match " + MetricNames.LABEL_NAME;
        } else if (name.startsWith("__")) {
            return "label names starting with __ are reserved";
        } else if (value == null) {
            return "label value must be a string";
        } else if (!wellFormed(value)) {
            return "label value is not valid Unicode (a lone surrogate)";
        } else if (value.length() > limits.maxLabelValueLength()) {
            return labelValueTooLong;
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

    private static double value(int index, RawPoint.RawValue raw, FieldChecks errors) {
        if (raw == null || raw.text() == null) {
            fail(errors, index, "value", "is required");
            return Double.NaN;
        }
        if (raw.quoted()) {
            Double special = SampleValue.special(raw.text());
            if (special == null) {
                fail(errors, index, "value", "must be a number or one of \"NaN\", \"+Inf\", \"-Inf\"");
                return Double.NaN;
            }
            return special;
        }
        double value;
        try {
            value = Double.parseDouble(raw.text());
        } catch (NumberFormatException e) {
            fail(errors, index, "value", "must be a number");
            return Double.NaN;
        }
        if (!Double.isFinite(value)) {
            fail(errors, index, "value",
                    "is out of the range of a 64-bit float; send \"+Inf\" or \"-Inf\" for infinities");
        }
        return value;
    }

    private Instant updatedAt(int index, String text, Instant now, Instant latest, String aheadMessage,
            Timestamps timestamps, FieldChecks errors) {
        if (text == null) {
            return now.truncatedTo(ChronoUnit.MILLIS);
        }
        Instant at = timestamps.parse(text);
        if (at == null) {
            fail(errors, index, "updatedAt", "must be an RFC 3339 date-time such as 2026-01-02T15:04:05Z");
            return null;
        }
        if (at.isAfter(latest)) {
            fail(errors, index, "updatedAt", aheadMessage);
        } else if (!at.plus(retention).isAfter(now)) {
            fail(errors, index, "updatedAt", tooOld);
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
