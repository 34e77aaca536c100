package io.metricstore.store;

import java.util.Map;

/**
 * A point as a client sent it, before validation. {@code value} keeps the JSON token's text and whether it was a
 * string, so that a number too large for a double is refused instead of silently becoming infinity.
 * Any field may be null; labels may hold null values.
 */
public record RawPoint(String name, Map<String, String> labels, RawValue value, String updatedAt) {

    /** The text of a JSON number ({@code quoted == false}) or string ({@code quoted == true}). */
    public record RawValue(String text, boolean quoted) {

        /** A double as a client would send it: finite values as numbers, the others as their strings. */
        public static RawValue number(double value) {
            return new RawValue(SampleValue.text(value), !Double.isFinite(value));
        }

        public static RawValue string(String value) {
            return new RawValue(value, true);
        }
    }
}
