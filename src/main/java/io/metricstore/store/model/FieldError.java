package io.metricstore.store.model;

/** One reason a request was refused, with the JSON path of the offending field ({@code points[3].labels.__x}). */
public record FieldError(String field, String message) {
}
