package io.metricstore.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.metricstore.store.model.Fences;
import io.metricstore.store.model.LockGrant;
import io.metricstore.store.model.LockKind;
import io.metricstore.store.model.LockState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * Locks, on any backend (SPEC §2): leases with an owner token and a fence that only grows, the job lock that elects
 * the replica running the scheduled GC, the GC purging expired locks, and many callers racing for one lock.
 */
public abstract class LockContract extends BackendContract {

    /** The identity the locks of these tests are taken for. */
    static final String CALLER = "anonymous";

    // ---- leases, tokens and fences

    @Test
    void aFreeLockIsAcquiredWithATokenAndAFenceAboveTheSeedOfItsState() {
        LockGrant grant = store.acquire(LockKind.JOB, "backfill/2026-01-01", Duration.ofSeconds(30), null, CALLER);
        assertThat(grant.token()).isNotBlank();
        assertThat(grant.fence()).isGreaterThan(Fences.floor(t0.toEpochMilli()));
        assertThat(grant.expiresAt()).isEqualTo(t0.plusSeconds(30));
        assertThat(store.inspect(LockKind.JOB, "backfill/2026-01-01"))
                .contains(new LockState(LockKind.JOB, "backfill/2026-01-01", grant.fence(), t0.plusSeconds(30)));
    }

    /**
     * Fences are never issued twice, even by a store whose state is new (a restarted memory backend, a Redis that
     * lost its data): its first acquire seeds the store-wide counter from its time.
     */
    @Test
    void aNewStateNeverIssuesAFenceAgain() {
        long before = 0;
        for (int i = 0; i < 5; i++) {
            before = store.acquire(LockKind.DEDUP, "event-" + i, Duration.ofSeconds(30), null, CALLER).fence();
        }
        use();
        clock.advance(Duration.ofMillis(1));
        assertThat(store.acquire(LockKind.DEDUP, "event-0", Duration.ofSeconds(30), null, CALLER).fence()).isGreaterThan(before);
    }

    @Test
    void aHeldLockIsRefusedWithTheHoldersExpiry() {
        long fence = store.acquire(LockKind.JOB, "k", Duration.ofSeconds(30), "first", CALLER).fence();
        clock.advance(Duration.ofSeconds(10));
        assertThatThrownBy(() -> store.acquire(LockKind.JOB, "k", Duration.ofSeconds(5), "second", CALLER))
                .isInstanceOfSatisfying(StoreException.LockHeld.class,
                        held -> assertThat(held.expiresAt()).isEqualTo(t0.plusSeconds(30)));
        assertThat(store.inspect(LockKind.JOB, "k").orElseThrow().fence()).isEqualTo(fence);
    }

    @Test
    void aRetriedAcquireThatAlreadyWonReportsSuccess() {
        LockGrant first = store.acquire(LockKind.DEDUP, "event-1", Duration.ofSeconds(30), "mine", CALLER);
        clock.advance(Duration.ofSeconds(1));
        LockGrant retry = store.acquire(LockKind.DEDUP, "event-1", Duration.ofSeconds(30), "mine", CALLER);
        assertThat(retry.fence()).isEqualTo(first.fence());
        assertThat(retry.token()).isEqualTo("mine");
        assertThat(retry.expiresAt()).isEqualTo(t0.plusSeconds(31));
    }

    @Test
    void anExpiredLockIsFreeAndTheFenceKeepsGrowing() {
        long a = store.acquire(LockKind.JOB, "k", Duration.ofSeconds(30), "a", CALLER).fence();
        clock.advance(Duration.ofSeconds(30));
        assertThat(store.inspect(LockKind.JOB, "k")).isEmpty();
        long b = store.acquire(LockKind.JOB, "k", Duration.ofSeconds(30), "b", CALLER).fence();
        assertThat(b).isGreaterThan(a);
        store.release(LockKind.JOB, "k", "b", CALLER);
        long c = store.acquire(LockKind.JOB, "k", Duration.ofSeconds(30), "c", CALLER).fence();
        assertThat(c).isGreaterThan(b);
        store.release(LockKind.JOB, "k", "c", CALLER);
        clock.advance(Duration.ofHours(5));
        store.gc();
        assertThat(store.acquire(LockKind.JOB, "k", Duration.ofSeconds(30), "d", CALLER).fence()).isGreaterThan(c);
    }

    @Test
    void onlyTheTokenHolderMayExtendOrRelease() {
        long fence = store.acquire(LockKind.JOB, "k", Duration.ofSeconds(30), "owner", CALLER).fence();
        assertThatThrownBy(() -> store.extend(LockKind.JOB, "k", "thief", Duration.ofMinutes(10), CALLER))
                .isInstanceOf(StoreException.LockTokenMismatch.class);
        assertThatThrownBy(() -> store.release(LockKind.JOB, "k", "thief", CALLER))
                .isInstanceOf(StoreException.LockTokenMismatch.class);
        assertThat(store.inspect(LockKind.JOB, "k").orElseThrow().expiresAt()).isEqualTo(t0.plusSeconds(30));
        clock.advance(Duration.ofSeconds(20));
        LockGrant extended = store.extend(LockKind.JOB, "k", "owner", Duration.ofMinutes(1), CALLER);
        assertThat(extended.expiresAt()).isEqualTo(t0.plusSeconds(80));
        assertThat(extended.fence()).isEqualTo(fence);
        clock.advance(Duration.ofSeconds(30));
        assertThat(store.inspect(LockKind.JOB, "k")).isPresent();
        store.release(LockKind.JOB, "k", "owner", CALLER);
        assertThat(store.inspect(LockKind.JOB, "k")).isEmpty();
    }

    @Test
    void aLockIsBoundToTheIdentityThatTookItEvenForTheRightToken() {
        long fence = store.acquire(LockKind.JOB, "k", Duration.ofSeconds(30), "t", "alice").fence();
        assertThatThrownBy(() -> store.extend(LockKind.JOB, "k", "t", Duration.ofMinutes(10), "bob"))
                .isInstanceOf(StoreException.NotOwner.class);
        assertThatThrownBy(() -> store.release(LockKind.JOB, "k", "t", "bob")).isInstanceOf(StoreException.NotOwner.class);
        assertThatThrownBy(() -> store.extend(LockKind.JOB, "k", "guess", Duration.ofMinutes(10), "bob"))
                .isInstanceOf(StoreException.NotOwner.class);
        assertThatThrownBy(() -> store.acquire(LockKind.JOB, "k", Duration.ofMinutes(10), "t", "bob"))
                .isInstanceOf(StoreException.NotOwner.class);
        assertThatThrownBy(() -> store.acquire(LockKind.JOB, "k", Duration.ofMinutes(10), "u", "bob"))
                .isInstanceOf(StoreException.LockHeld.class);
        assertThat(store.inspect(LockKind.JOB, "k").orElseThrow().expiresAt()).isEqualTo(t0.plusSeconds(30));
        assertThat(store.acquire(LockKind.JOB, "k", Duration.ofSeconds(30), "t", "alice").fence()).isEqualTo(fence);
        store.release(LockKind.JOB, "k", "t", "alice");
        assertThat(store.acquire(LockKind.JOB, "k", Duration.ofSeconds(30), "t", "bob").fence()).isGreaterThan(fence);
    }

    @Test
    void aLockThatIsNotHeldCannotBeExtendedOrReleased() {
        assertThatThrownBy(() -> store.extend(LockKind.JOB, "k", "t", Duration.ofSeconds(1), CALLER))
                .isInstanceOf(StoreException.LockNotHeld.class);
        assertThatThrownBy(() -> store.release(LockKind.JOB, "k", "t", CALLER)).isInstanceOf(StoreException.LockNotHeld.class);
        store.acquire(LockKind.JOB, "k", Duration.ofSeconds(1), "t", CALLER);
        clock.advance(Duration.ofSeconds(1));
        assertThatThrownBy(() -> store.extend(LockKind.JOB, "k", "t", Duration.ofSeconds(1), CALLER))
                .isInstanceOf(StoreException.LockNotHeld.class);
        assertThatThrownBy(() -> store.release(LockKind.JOB, "k", "t", CALLER)).isInstanceOf(StoreException.LockNotHeld.class);
    }

    @Test
    void jobAndDedupLocksAreIndependent() {
        LockGrant job = store.acquire(LockKind.JOB, "same", Duration.ofSeconds(30), "a", CALLER);
        LockGrant dedup = store.acquire(LockKind.DEDUP, "same", Duration.ofSeconds(30), "b", CALLER);
        assertThat(dedup.fence()).as("one store-wide counter").isGreaterThan(job.fence());
        store.release(LockKind.JOB, "same", "a", CALLER);
        assertThat(store.inspect(LockKind.DEDUP, "same")).isPresent();
    }

    /**
     * The rule for keys is tested once ({@code FieldChecksTest}); this is that each backend holds, refuses and
     * releases a lock under the longest and the least ordinary keys it accepts.
     */
    @Test
    void longAndNonAsciiKeysAreLocksLikeAnyOther() {
        for (String key : List.of("k".repeat(256), "ключ 🔒 with spaces/and:colons", "😀".repeat(256))) {
            long fence = store.acquire(LockKind.JOB, key, Duration.ofSeconds(30), "t", CALLER).fence();
            assertThat(store.inspect(LockKind.JOB, key)).as(key)
                    .contains(new LockState(LockKind.JOB, key, fence, t0.plusSeconds(30)));
            assertThatThrownBy(() -> store.acquire(LockKind.JOB, key, Duration.ofSeconds(30), "other", CALLER)).as(key)
                    .isInstanceOf(StoreException.LockHeld.class);
            store.release(LockKind.JOB, key, "t", CALLER);
            assertThat(store.inspect(LockKind.JOB, key)).as(key).isEmpty();
        }
    }

    // ---- the GC and locks

    @Test
    void theScheduledGcRunsOnTheReplicaHoldingTheGcLockUntilItReleasesIt() {
        assertThat(store.scheduledGc()).isPresent();
        assertThat(store.inspect(LockKind.STORE, MetricStore.GC_LOCK)).isPresent();
        StoreConfig shared = config;
        MetricStore otherReplica = new MetricStore(backend, shared, clock,
                new StoreMetrics(new SimpleMeterRegistry(), backend, clock));
        assertThat(otherReplica.scheduledGc()).as("the lease is held by the first replica").isEmpty();
        assertThat(store.scheduledGc()).as("its holder renews it").isPresent();
        store.releaseGcLock();
        assertThat(otherReplica.scheduledGc()).isPresent();
        store.releaseGcLock();
        assertThat(store.inspect(LockKind.STORE, MetricStore.GC_LOCK)).isPresent();
    }

    /** The GC's lease is the store's own: a client's job key {@code gc} is just another key (SPEC §2). */
    @Test
    void aClientsJobKeyGcNeitherBlocksNorIsBlockedByTheGc() {
        store.acquire(LockKind.JOB, MetricStore.GC_LOCK, Duration.ofMinutes(1), "client", CALLER);
        assertThat(store.scheduledGc()).isPresent();
        assertThat(store.inspect(LockKind.JOB, MetricStore.GC_LOCK)).hasValueSatisfying(
                held -> assertThat(held.expiresAt()).isEqualTo(t0.plusSeconds(60)));
        store.release(LockKind.JOB, MetricStore.GC_LOCK, "client", CALLER);
        assertThat(store.scheduledGc()).isPresent();
    }

    @Test
    void theGcPurgesExpiredLocks() {
        store.acquire(LockKind.JOB, "short", Duration.ofSeconds(1), null, CALLER);
        store.acquire(LockKind.DEDUP, "short", Duration.ofSeconds(1), null, CALLER);
        store.acquire(LockKind.JOB, "long", Duration.ofMinutes(1), null, CALLER);
        clock.advance(Duration.ofSeconds(1));
        assertThat(store.gc().expiredLocks()).isEqualTo(2);
        assertThat(store.inspect(LockKind.JOB, "long")).isPresent();
    }

    // ---- concurrency

    @Test
    void manyCallersRaceForOneLockAndExactlyOneWins() throws Exception {
        int callers = 32;
        List<Callable<LockGrant>> attempts = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        for (int i = 0; i < callers; i++) {
            String token = "caller-" + i;
            attempts.add(() -> {
                start.await();
                try {
                    return store.acquire(LockKind.JOB, "contended", Duration.ofMinutes(1), token, CALLER);
                } catch (StoreException.LockHeld held) {
                    return null;
                }
            });
        }
        List<LockGrant> winners = run(attempts, start);
        assertThat(winners).filteredOn(Objects::nonNull).singleElement()
                .satisfies(grant -> assertThat(grant.fence()).isGreaterThan(Fences.floor(t0.toEpochMilli())));
    }

}
