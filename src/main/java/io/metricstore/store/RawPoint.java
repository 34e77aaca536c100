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
    }
}
