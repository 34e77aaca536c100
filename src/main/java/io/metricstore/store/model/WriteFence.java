package io.metricstore.store.model;

/**
 * The lease or lock a batch is written under (SPEC §2, Fenced writes): the batch is applied only if {@code token} holds
 * it for {@code owner}, the writing identity, at the moment of the write. A lease is the lock kind {@link LockKind#LEASE}
 * with the lease's name as its key.
 */
public record WriteFence(LockKind kind, String key, String token, String owner) {

    public boolean lease() {
        return kind == LockKind.LEASE;
    }
}
