package io.metricstore.store.model;

import java.util.List;

/** The changes after a cursor, oldest first, each series once; {@code more} when a further page exists. */
public record Delta(Cursor cursor, List<Change> events, boolean more) {
}
