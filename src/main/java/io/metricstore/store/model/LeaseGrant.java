package io.metricstore.store.model;

import java.time.Instant;

/**
 * A lease held by the caller: the token proves it holds it, the fence orders its holders (and fences the writes made
 * under it), the holder is the name observers see.
 */
public record LeaseGrant(String name, String holder, String token, long fence, Instant expiresAt) {
}
