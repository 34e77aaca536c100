package io.metricstore.store.model;

import java.util.OptionalLong;

/**
 * What a batch did: how many points were applied, unchanged replays or stale, the cursor after it, and the fence of the
 * lease or lock it was written under, if any.
 */
public record WriteResult(int applied, int unchanged, int stale, Cursor cursor, OptionalLong fence) {

    public WriteResult(int applied, int unchanged, int stale, Cursor cursor) {
        this(applied, unchanged, stale, cursor, OptionalLong.empty());
    }
}
