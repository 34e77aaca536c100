package io.metricstore.store;

import static io.metricstore.store.TestStore.point;
import static io.metricstore.store.model.RuntimeRole.FOLLOWER;
import static io.metricstore.store.model.RuntimeRole.LEADER;
import static io.metricstore.store.model.WriteSource.LEADER_SCRAPE;
import static io.metricstore.store.model.WriteSource.WORKER_BACKFILL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.metricstore.store.model.Cursor;
import io.metricstore.store.model.LeaseGrant;
import io.metricstore.store.model.LeaseState;
import io.metricstore.store.model.LockGrant;
import io.metricstore.store.model.LockKind;
import io.metricstore.store.model.RuntimeRole;
import io.metricstore.store.model.WriteResult;
import io.metricstore.store.model.WriteSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fenced writes, on any backend (SPEC §2): a batch written under a lease or lock is applied only while that token
 * holds it, checked in the write's own atomic step, else refused whole; and the order of refusals SPEC §2 pins.
 */
public abstract class FencedWriteContract extends BackendContract {

    private static final String WRITER = MetricStore.ANONYMOUS;
    private static final Duration TTL = Duration.ofSeconds(15);

    private WriteResult underLease(String lease, String token, String writer, RawPoint... points) {
        return store.write(new WriteBatch(LEADER, LEADER_SCRAPE, List.of(points), Map.of(),
                new WriteBatch.Lease(lease, token), null), () -> writer);
    }

    private WriteResult underLock(LockKind kind, String key, String token, RawPoint... points) {
        return store.write(new WriteBatch(FOLLOWER, WORKER_BACKFILL, List.of(points), Map.of(), null,
                new WriteBatch.Lock(kind.wire(), key, token)), () -> WRITER);
    }

    @Test
    void aBatchUnderAHeldLeaseIsWrittenAndEchoesItsFence() {
        LeaseGrant lease = store.campaign("leader", TTL, "a", "pod-a", WRITER);
        WriteResult result = underLease("leader", "a", WRITER, point("up", 1));
        assertThat(result.applied()).isEqualTo(1);
        assertThat(result.fence()).hasValue(lease.fence());
        assertThat(scrape(point("up", 2)).fence()).isEmpty();
    }

    /**
     * The deposed leader (SPEC §2): A's lease runs out while it is paused, B takes over and writes; A's late batch,
     * however fresh its points, is refused whole, naming B, and B's data stays.
     */
    @Test
    void aDeposedLeaderCannotOverwriteItsSuccessor() {
        store.campaign("leader", Duration.ofSeconds(1), "a", "pod-a", WRITER);
        underLease("leader", "a", WRITER, point("jobs", 1, t0));
        clock.advance(Duration.ofSeconds(2));
        LeaseGrant b = store.campaign("leader", TTL, "b", "pod-b", WRITER);
        underLease("leader", "b", WRITER, point("jobs", 2, clock.instant()));
        Cursor before = store.cursor();
        assertThatThrownBy(() -> underLease("leader", "a", WRITER, point("jobs", 1, clock.instant().plusMillis(1)),
                point("other", 1)))
                .isInstanceOfSatisfying(StoreException.NotLeader.class, refused -> {
                    assertThat(refused.kind()).isEqualTo(StoreException.Kind.NOT_LEADER);
                    assertThat(refused.current()).contains(new LeaseState("leader", "pod-b", b.fence(),
                            b.expiresAt()));
                });
        assertThat(valueOf("jobs")).isEqualTo(2);
        assertThat(live()).doesNotContainKey("other");
        assertThat(store.cursor()).isEqualTo(before);
    }

    @Test
    void aBatchUnderAnExpiredOrResignedLeaseIsRefusedAndNamesNoHolder() {
        store.campaign("leader", Duration.ofSeconds(1), "a", null, WRITER);
        clock.advance(Duration.ofSeconds(1));
        assertThatThrownBy(() -> underLease("leader", "a", WRITER, point("up", 1)))
                .isInstanceOfSatisfying(StoreException.NotLeader.class,
                        refused -> assertThat(refused.current()).isEmpty());
        store.campaign("leader", TTL, "a", null, WRITER);
        store.resign("leader", "a", WRITER);
        assertThatThrownBy(() -> underLease("leader", "a", WRITER, point("up", 1)))
                .isInstanceOf(StoreException.NotLeader.class);
        assertThatThrownBy(() -> underLease("never-held", "a", WRITER, point("up", 1)))
                .isInstanceOf(StoreException.NotLeader.class);
        assertThat(live()).isEmpty();
    }

    /** With authentication on, the writer must be the identity holding the lease: another is refused as not holding. */
    @Test
    void anotherIdentityWithTheRightTokenIsNotTheLeader() {
        store.campaign("leader", TTL, "a", null, "system:serviceaccount:ns:exporter");
        assertThatThrownBy(() -> underLease("leader", "a", "system:serviceaccount:ns:intruder", point("up", 1)))
                .isInstanceOf(StoreException.NotLeader.class);
        assertThat(underLease("leader", "a", "system:serviceaccount:ns:exporter", point("up", 1)).applied())
                .isEqualTo(1);
    }

    @Test
    void aBackfillUnderItsJobLockIsWrittenUntilTheLockExpiresMidRun() {
        LockGrant lock = store.acquire(LockKind.JOB, "orders-backfill", Duration.ofSeconds(10), "worker-7", WRITER);
        WriteResult first = underLock(LockKind.JOB, "orders-backfill", "worker-7", point("orders", 1, t0));
        assertThat(first.fence()).hasValue(lock.fence());
        clock.advance(Duration.ofSeconds(10));
        assertThatThrownBy(() -> underLock(LockKind.JOB, "orders-backfill", "worker-7",
                point("orders", 2, clock.instant())))
                .isInstanceOfSatisfying(StoreException.LockLost.class, lost -> {
                    assertThat(lost.kind()).isEqualTo(StoreException.Kind.LOCK_LOST);
                    assertThat(lost.lockKind()).isEqualTo(LockKind.JOB);
                    assertThat(lost.key()).isEqualTo("orders-backfill");
                });
        assertThat(valueOf("orders")).isEqualTo(1);
    }

    @Test
    void aBackfillUnderALockTakenByAnotherTokenIsRefused() {
        store.acquire(LockKind.DEDUP, "event-1", TTL, "other", WRITER);
        assertThatThrownBy(() -> underLock(LockKind.DEDUP, "event-1", "mine", point("x", 1)))
                .isInstanceOf(StoreException.LockLost.class);
        assertThatThrownBy(() -> underLock(LockKind.JOB, "event-1", "other", point("x", 1)))
                .as("the same key of another kind is another lock").isInstanceOf(StoreException.LockLost.class);
        assertThat(live()).isEmpty();
    }

    @Test
    void familiesAloneUnderALostLeaseAreRefusedToo() {
        assertThatThrownBy(() -> store.write(new WriteBatch(LEADER, LEADER_SCRAPE, List.of(),
                Map.of("jobs", new RawFamily("gauge", "Jobs")), new WriteBatch.Lease("leader", "a"), null)))
                .isInstanceOf(StoreException.NotLeader.class);
        assertThat(store.families()).isEmpty();
    }

    // ---- which refusal wins (SPEC §2: 400 → 401/403 → 403 guard, required lease → 413 → 409 fenced → 507)

    @Test
    void validationComesBeforeEverythingElse() {
        List<String> calls = new ArrayList<>();
        assertThatThrownBy(() -> store.write(new WriteBatch(FOLLOWER, LEADER_SCRAPE, List.of(point("bad name", 1)),
                Map.of(), new WriteBatch.Lease("leader", "lost"), null), () -> {
                    calls.add("authorize");
                    return WRITER;
                }))
                .isInstanceOf(StoreException.Validation.class);
        assertThat(calls).as("the caller is not even authorized").isEmpty();
    }

    @Test
    void aLeaseGoesOnlyWithScrapesAndALockOnlyWithBackfills() {
        assertThat(TestStore.validationErrors(() -> store.write(new WriteBatch(FOLLOWER, WORKER_BACKFILL,
                List.of(point("x", 1)), Map.of(), new WriteBatch.Lease("leader", "t"), null))))
                .extracting(error -> error.field()).containsExactly("lease");
        assertThat(TestStore.validationErrors(() -> store.write(new WriteBatch(LEADER, LEADER_SCRAPE,
                List.of(point("x", 1)), Map.of(), null, new WriteBatch.Lock("job", "k", "t")))))
                .extracting(error -> error.field()).containsExactly("lock");
        assertThat(TestStore.validationErrors(() -> store.write(new WriteBatch(FOLLOWER, WORKER_BACKFILL,
                List.of(point("x", 1)), Map.of(), null, new WriteBatch.Lock("lease", "", "has space")))))
                .extracting(error -> error.field()).containsExactlyInAnyOrder("lock.kind", "lock.key", "lock.token");
        assertThat(TestStore.validationErrors(() -> store.write(new WriteBatch(LEADER, LEADER_SCRAPE,
                List.of(point("x", 1)), Map.of(), new WriteBatch.Lease(null, null), null))))
                .extracting(error -> error.field()).containsExactlyInAnyOrder("lease.name", "lease.token");
    }

    @Test
    void theWriteGuardComesBeforeTheLeaseCheck() {
        store.campaign("leader", TTL, "a", null, WRITER);
        assertThatThrownBy(() -> store.write(new WriteBatch(RuntimeRole.FOLLOWER, WriteSource.LEADER_SCRAPE,
                List.of(point("x", 1)), Map.of(), new WriteBatch.Lease("leader", "a"), null)))
                .isInstanceOf(StoreException.WriteForbidden.class);
    }

    @Test
    void theBatchSizeComesBeforeTheLeaseCheck() {
        RawPoint[] tooMany = new RawPoint[config.maxBatch() + 1];
        for (int i = 0; i < tooMany.length; i++) {
            tooMany[i] = point("m" + i, 1);
        }
        assertThatThrownBy(() -> underLease("leader", "lost", WRITER, tooMany))
                .isInstanceOf(StoreException.BatchTooLarge.class);
    }

    @Test
    void theLeaseCheckComesBeforeTheSeriesCap() {
        use("store.max-series", "1");
        scrape(point("only", 1));
        assertThatThrownBy(() -> underLease("leader", "lost", WRITER, point("second", 1)))
                .isInstanceOf(StoreException.NotLeader.class);
        store.campaign("leader", TTL, "held", null, WRITER);
        assertThatThrownBy(() -> underLease("leader", "held", WRITER, point("second", 1)))
                .isInstanceOf(StoreException.SeriesLimitExceeded.class);
    }

    @Test
    void withRequireLeaseAScrapeMustNameItsLease() {
        use("store.leader.require-lease", "true");
        assertThatThrownBy(() -> scrape(point("up", 1)))
                .isInstanceOfSatisfying(StoreException.WriteForbidden.class,
                        refused -> assertThat(refused.getMessage()).contains("store.leader.require-lease"));
        assertThat(backfill(point("up", 1)).applied()).as("backfills need no lease").isEqualTo(1);
        store.campaign("leader", TTL, "a", null, WRITER);
        assertThat(underLease("leader", "a", WRITER, point("up", 2)).applied()).isEqualTo(1);
    }
}
