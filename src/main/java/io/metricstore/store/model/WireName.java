package io.metricstore.store.model;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** An enum constant with one exact spelling in JSON, paths and configuration. */
public interface WireName {

    String wire();

    /** The constant spelled exactly {@code text} (case-sensitive), if any. */
    static <E extends WireName> Optional<E> parse(E[] values, String text) {
        for (E value : values) {
            if (value.wire().equals(text)) {
                return Optional.of(value);
            }
        }
        return Optional.empty();
    }

    /** Every spelling, quoted and comma-separated, for messages that list the allowed values. */
    static String choices(WireName[] values) {
        return Arrays.stream(values).map(value -> '"' + value.wire() + '"').collect(Collectors.joining(", "));
    }
}
