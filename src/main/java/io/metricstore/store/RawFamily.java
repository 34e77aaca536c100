package io.metricstore.store;

/** A family description as a client sent it, before validation; either field may be null. */
public record RawFamily(String type, String help) {
}
