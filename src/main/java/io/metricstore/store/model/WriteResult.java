package io.metricstore.store.model;

/** What a batch did: how many points were applied, unchanged replays or stale, and the cursor after it. */
public record WriteResult(int applied, int unchanged, int stale, Cursor cursor) {
}
