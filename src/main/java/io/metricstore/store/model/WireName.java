package io.metricstore.store.model;

import java.util.Optional;

/** An enum constant with one exact spelling in JSON, paths and configuration. */
interface WireName {

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
}
