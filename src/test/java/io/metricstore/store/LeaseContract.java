package io.metricstore.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.metricstore.Eventually;
import io.metricstore.store.model.Fences;
import io.metricstore.store.model.LeaseGrant;
import io.metricstore.store.model.LeaseState;
import io.metricstore.store.model.LockKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * Leases, on any backend (SPEC §2, Leases): one holder at a time with a public holder, a token and a fence that never
 * repeats, campaign (retry-safe), renew, resign, observe, the signals that wake observers, and many replicas racing.
 */
public abstract class LeaseContract extends BackendContract {

    static final String CALLER = MetricStore.ANONYMOUS;
    private static final Duration TTL = Duration.ofSeconds(15);
    /** How long a signal may take: a shared backend that lost its subscription still polls within this. */
    private static final Duration SIGNAL_DEADLINE = Duration.ofSeconds(10);

    @Test
    void aFreeLeaseIsTakenWithTheCallersIdentityAsHolderAndAFenceAboveTheFloor() {
        LeaseGrant grant = store.campaign("exporter/leader", TTL, null, null, CALLER);
        assertThat(grant.holder()).isEqualTo(CALLER);
        assertThat(grant.token()).isNotBlank();
        assertThat(grant.fence()).isGreaterThan(Fences.floor(t0.toEpochMilli()));
        assertThat(grant.expiresAt()).isEqualTo(t0.plus(TTL));
        assertThat(store.observe("exporter/leader"))
                .contains(new LeaseState("exporter/leader", CALLER, grant.fence(), t0.plus(TTL)));
        assertThat(store.observe("another")).isEmpty();
    }

    @Test
    void aCampaignOnAHeldLeaseIsRefusedWithTheHolderItsFenceAndExpiry() {
        LeaseGrant first = store.campaign("leader", TTL, "pod-a-token", "pod-a", CALLER);
        clock.advance(Duration.ofSeconds(5));
        assertThatThrownBy(() -> store.campaign("leader", TTL, "pod-b-token", "pod-b", CALLER))
                .isInstanceOfSatisfying(StoreException.LeaseHeld.class, held -> {
                    assertThat(held.kind()).isEqualTo(StoreException.Kind.LEASE_HELD);
                    assertThat(held.holder()).isEqualTo(new LeaseState("leader", "pod-a", first.fence(), t0.plus(TTL)));
                });
    }

    @Test
    void aRetriedCampaignThatAlreadyWonRenewsWithTheSameFenceAndHolder() {
        LeaseGrant first = store.campaign("leader", TTL, "pod-a-token", "pod-a", CALLER);
        clock.advance(Duration.ofSeconds(5));
        LeaseGrant retry = store.campaign("leader", Duration.ofSeconds(30), "pod-a-token", "renamed", CALLER);
        assertThat(retry).isEqualTo(new LeaseGrant("leader", "pod-a", "pod-a-token", first.fence(),
                t0.plusSeconds(35)));
    }

    @Test
    void theHolderRenewsAndResignsAndNobodyElseCan() {
        LeaseGrant grant = store.campaign("leader", TTL, "mine", "pod-a", CALLER);
        clock.advance(Duration.ofSeconds(5));
        assertThatThrownBy(() -> store.renew("leader", "theirs", TTL, CALLER))
                .isInstanceOfSatisfying(StoreException.LockTokenMismatch.class,
                        refused -> assertThat(refused.kind()).isEqualTo(StoreException.Kind.LEASE_TOKEN_MISMATCH));
        assertThatThrownBy(() -> store.renew("leader", "mine", TTL, "someone-else"))
                .isInstanceOf(StoreException.NotOwner.class);
        assertThatThrownBy(() -> store.resign("leader", "theirs", CALLER))
                .isInstanceOfSatisfying(StoreException.LockTokenMismatch.class,
                        refused -> assertThat(refused.kind()).isEqualTo(StoreException.Kind.LEASE_TOKEN_MISMATCH));
        assertThat(store.renew("leader", "mine", TTL, CALLER))
                .isEqualTo(new LeaseGrant("leader", "pod-a", "mine", grant.fence(), t0.plusSeconds(20)));
        store.resign("leader", "mine", CALLER);
        assertThat(store.observe("leader")).isEmpty();
        assertThatThrownBy(() -> store.renew("leader", "mine", TTL, CALLER))
                .isInstanceOfSatisfying(StoreException.LockNotHeld.class,
                        refused -> assertThat(refused.kind()).isEqualTo(StoreException.Kind.LEASE_NOT_HELD));
        assertThatThrownBy(() -> store.resign("leader", "mine", CALLER))
                .isInstanceOfSatisfying(StoreException.LockNotHeld.class,
                        refused -> assertThat(refused.kind()).isEqualTo(StoreException.Kind.LEASE_NOT_HELD));
    }

    @Test
    void aLeaseIsBoundToTheIdentityThatTookIt() {
        store.campaign("leader", TTL, "shared-token", null, "system:serviceaccount:ns:a");
        assertThatThrownBy(() -> store.campaign("leader", TTL, "shared-token", null, "system:serviceaccount:ns:b"))
                .isInstanceOf(StoreException.NotOwner.class);
        assertThatThrownBy(() -> store.resign("leader", "shared-token", "system:serviceaccount:ns:b"))
                .isInstanceOf(StoreException.NotOwner.class);
        assertThat(store.observe("leader")).hasValueSatisfying(
                held -> assertThat(held.holder()).isEqualTo("system:serviceaccount:ns:a"));
    }

    @Test
    void anExpiredLeaseIsFreeAndItsNextHolderGetsAHigherFence() {
        LeaseGrant first = store.campaign("leader", Duration.ofSeconds(1), "a", "pod-a", CALLER);
        clock.advance(Duration.ofSeconds(1));
        assertThat(store.observe("leader")).isEmpty();
        assertThatThrownBy(() -> store.renew("leader", "a", TTL, CALLER)).isInstanceOf(StoreException.LockNotHeld.class);
        LeaseGrant next = store.campaign("leader", TTL, "b", "pod-b", CALLER);
        assertThat(next.fence()).isGreaterThan(first.fence());
        assertThat(next.holder()).isEqualTo("pod-b");
    }

    /** Fences are never issued twice: each change of leader, by resignation or by expiry, gets a higher one. */
    @Test
    void fencesStrictlyIncreaseAcrossAThousandLeadershipChanges() {
        long last = 0;
        for (int i = 0; i < 1000; i++) {
            String token = "replica-" + (i % 3);
            LeaseGrant grant = store.campaign("leader", Duration.ofSeconds(2), token, token, CALLER);
            assertThat(grant.fence()).as("change %d", i).isGreaterThan(last);
            last = grant.fence();
            if (i % 2 == 0) {
                store.resign("leader", token, CALLER);
            } else {
                clock.advance(Duration.ofSeconds(2));
            }
        }
    }

    @Test
    void leasesAndLocksOfTheSameNameAreIndependent() {
        store.acquire(LockKind.JOB, "leader", TTL, "job-token", CALLER);
        store.acquire(LockKind.DEDUP, "leader", TTL, "dedup-token", CALLER);
        LeaseGrant lease = store.campaign("leader", TTL, "lease-token", null, CALLER);
        store.release(LockKind.JOB, "leader", "job-token", CALLER);
        assertThat(store.observe("leader")).hasValueSatisfying(held -> assertThat(held.fence()).isEqualTo(lease.fence()));
        store.resign("leader", "lease-token", CALLER);
        assertThat(store.inspect(LockKind.DEDUP, "leader")).isPresent();
    }

    @Test
    void theGcPurgesExpiredLeases() {
        store.campaign("short", Duration.ofSeconds(1), null, null, CALLER);
        store.campaign("long", TTL, null, null, CALLER);
        clock.advance(Duration.ofSeconds(1));
        assertThat(store.gc().expiredLocks()).isEqualTo(1);
        assertThat(store.observe("long")).isPresent();
    }

    @Test
    void namesTtlsTokensAndHoldersFollowTheLockRules() {
        assertThat(TestStore.validationErrors(() -> store.campaign("", Duration.ofHours(2), "has space", "\n", CALLER)))
                .extracting(error -> error.field())
                .containsExactlyInAnyOrder("name", "ttl", "token", "holder");
        assertThat(TestStore.validationErrors(() -> store.campaign("x".repeat(257), TTL, null, "y".repeat(257), CALLER)))
                .extracting(error -> error.field())
                .containsExactlyInAnyOrder("name", "holder");
        LeaseGrant unicode = store.campaign("leader/ünïcode ✓", TTL, null, "pod 7 ✓", CALLER);
        assertThat(store.observe("leader/ünïcode ✓")).hasValueSatisfying(
                held -> assertThat(held.holder()).isEqualTo("pod 7 ✓"));
        store.resign("leader/ünïcode ✓", unicode.token(), CALLER);
    }

    /**
     * Campaigns, renewals and resignations are signalled by name (on a shared backend, through it: asynchronously). A
     * shared backend that starts watching may miss changes until its subscription is up (it says "any lease" then):
     * the test first renews a lease of its own until its name is heard.
     */
    @Test
    void campaignsRenewalsAndResignationsAreSignalled() {
        Set<Optional<String>> heard = ConcurrentHashMap.newKeySet();
        store.watchLeases(heard::add);
        LeaseGrant warmUp = store.campaign("warm-up", TTL, null, null, CALLER);
        Eventually.until(() -> heard.contains(Optional.of("warm-up"))
                        || store.renew("warm-up", warmUp.token(), TTL, CALLER) == null,
                SIGNAL_DEADLINE, "a signal by name: the backend watches", Duration.ofMillis(100));
        heard.clear();
        LeaseGrant grant = store.campaign("signalled", TTL, null, null, CALLER);
        Eventually.until(() -> heard.contains(Optional.of("signalled")), SIGNAL_DEADLINE, "the campaign's signal");
        heard.clear();
        store.renew("signalled", grant.token(), TTL, CALLER);
        Eventually.until(() -> heard.contains(Optional.of("signalled")), SIGNAL_DEADLINE, "the renewal's signal");
        heard.clear();
        store.resign("signalled", grant.token(), CALLER);
        Eventually.until(() -> heard.contains(Optional.of("signalled")), SIGNAL_DEADLINE, "the resignation's signal");
    }

    @Test
    void manyReplicasCampaignAtOnceAndExactlyOneLeads() throws Exception {
        int callers = 32;
        List<Callable<LeaseGrant>> attempts = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        for (int i = 0; i < callers; i++) {
            String token = "replica-" + i;
            attempts.add(() -> {
                start.await();
                try {
                    return store.campaign("contended", TTL, token, token, CALLER);
                } catch (StoreException.LeaseHeld held) {
                    return null;
                }
            });
        }
        List<LeaseGrant> winners = run(attempts, start).stream().filter(Objects::nonNull).toList();
        assertThat(winners).hasSize(1);
        LeaseGrant winner = winners.get(0);
        assertThat(store.observe("contended")).contains(new LeaseState("contended", winner.holder(), winner.fence(),
                winner.expiresAt()));
    }
}
