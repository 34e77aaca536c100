package io.metricstore.store.model;

import java.time.Instant;

/** What anyone may see of a held lock: never its token. */
public record LockState(LockKind kind, String key, long fence, Instant expiresAt) {
}
