package io.metricstore.store.model;

import java.time.Instant;

/** A lock held by the caller: the token proves ownership, the fence orders holders of the same key. */
public record LockGrant(LockKind kind, String key, String token, long fence, Instant expiresAt) {
}
