package io.metricstore.store;

import static io.metricstore.store.TestStore.point;
import static io.metricstore.store.model.RuntimeRole.FOLLOWER;
import static io.metricstore.store.model.RuntimeRole.LEADER;
import static io.metricstore.store.model.WriteSource.LEADER_SCRAPE;
import static io.metricstore.store.model.WriteSource.WORKER_BACKFILL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * The write guard (SPEC §2), which {@link MetricStore#write} checks with {@link WriteGuard} before any backend sees
 * the batch: scrape results come from the leader only, backfills from any role. A refused write leaves the store,
 * here over the memory backend, as it was.
 */
class WriteGuardTest {

    private final TestStore memory = TestStore.memory();

    @Test
    void followerMayNotWriteScrapeResults() {
        assertThatThrownBy(() -> memory.write(FOLLOWER, LEADER_SCRAPE, point("up", 1)))
                .isInstanceOf(StoreException.WriteForbidden.class);
        assertThat(memory.live()).isEmpty();
        assertThat(memory.store.cursor().sequence()).isZero();
    }

    @Test
    void anyRoleMayWriteBackfillsAndTheLeaderMayWriteScrapes() {
        assertThat(memory.write(FOLLOWER, WORKER_BACKFILL, point("a", 1)).applied()).isEqualTo(1);
        assertThat(memory.write(LEADER, WORKER_BACKFILL, point("b", 1)).applied()).isEqualTo(1);
        assertThat(memory.write(LEADER, LEADER_SCRAPE, point("c", 1)).applied()).isEqualTo(1);
        assertThat(memory.live()).containsOnlyKeys("a", "b", "c");
    }
}
