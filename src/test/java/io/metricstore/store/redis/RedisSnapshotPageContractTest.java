package io.metricstore.store.redis;

import static io.metricstore.store.TestStore.point;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.metricstore.store.SnapshotPageContract;
import io.metricstore.store.StoreBackend;
import io.metricstore.store.StoreConfig;
import io.metricstore.store.StoreException;
import io.metricstore.store.model.SnapshotPage;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The snapshot page contract against a real Redis server, a namespace per store, and what only Redis can do. */
@QuarkusTest
@TestProfile(RedisProfile.class)
class RedisSnapshotPageContractTest extends SnapshotPageContract {

    @Inject
    RedisContractBackends redis;

    @Override
    protected String[] backendConfig() {
        return redis.freshNamespace();
    }

    @Override
    protected StoreBackend newBackend(StoreConfig config) {
        return redis.backend(config);
    }

    /**
     * Redis restarting (here: its origin no longer the one recorded, as after a restart or failover) between two pages
     * gives the state a new epoch at the next write: the walk ends with 410, and the client starts it again.
     */
    @Test
    void aWalkAcrossANewEpochEndsExpired() {
        scrape(point("a", 1), point("b", 1), point("c", 1));
        SnapshotPage first = store.snapshotPage(Optional.empty(), Optional.empty(), 1);
        redis.redis().execute("HSET", new RedisKeys(config.namespace()).meta, "origin", "another-redis");
        scrape(point("d", 1));
        assertThat(store.cursor().epoch()).isNotEqualTo(first.cursor().epoch());
        assertThatThrownBy(() -> store.snapshotPage(Optional.empty(),
                Optional.of(new SnapshotPage.After(first.cursor(), first.next().orElseThrow())), 1))
                .isInstanceOf(StoreException.CursorExpired.class);
        assertThat(ids(walk(Optional.empty(), 1))).containsExactly("a", "b", "c", "d");
    }
}
