package io.metricstore.store.model;

import java.time.Instant;

/** What anyone may see of a held lease: who holds it, its fence and its expiry; never its token. */
public record LeaseState(String name, String holder, long fence, Instant expiresAt) {
}
