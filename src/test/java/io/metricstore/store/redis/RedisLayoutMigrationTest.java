package io.metricstore.store.redis;

import static io.metricstore.store.TestStore.point;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.metricstore.store.BackendContract;
import io.metricstore.store.BackendUnavailableException;
import io.metricstore.store.RawPoint;
import io.metricstore.store.StoreBackend;
import io.metricstore.store.StoreConfig;
import io.metricstore.store.model.Change;
import io.metricstore.store.model.Cursor;
import io.metricstore.store.model.Series;
import io.metricstore.store.model.SeriesId;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The upgrade from key layout 2/1 (no order set) to this one: a replica of this version migrates the namespace in
 * place, on its readiness check or its first call, keeping the epoch, the feed, the series and every cursor; while
 * another replica migrates, it waits.
 */
@QuarkusTest
@TestProfile(RedisProfile.class)
class RedisLayoutMigrationTest extends BackendContract {

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

    /** Series written, then the namespace turned into what layout 2/1 left: no order set, its layout recorded. */
    private Cursor previousLayout() {
        use("store.max-series", "3000", "store.max-batch", "1000");
        for (int batch = 0; batch < 3; batch++) {
            List<RawPoint> points = new ArrayList<>();
            for (int i = 0; i < (batch == 2 ? 500 : 1000); i++) {
                points.add(point("m_" + batch, Map.of("i", Integer.toString(i), "v", "\u0000" + i), i, null));
            }
            scrape(points.toArray(RawPoint[]::new));
        }
        Cursor before = store.cursor();
        RedisKeys keys = keys();
        redis.redis().execute("DEL", keys.order);
        redis.redis().execute("HSET", keys.meta, "layout", RedisKeys.PREVIOUS_LAYOUT);
        return before;
    }

    private RedisKeys keys() {
        return new RedisKeys(config.namespace());
    }

    private List<String> sorted() {
        List<Series> live = new ArrayList<>(live().values());
        return SeriesId.sorted(live).stream().map(Series::id).toList();
    }

    @Test
    void theReadinessCheckMigratesAndKeepsEverything() {
        Cursor before = previousLayout();
        StoreBackend fresh = redis.backend(config);
        assertThat(fresh.unready(clock.instant())).isEmpty();
        assertThat(redis.redis().execute("HGET", keys().meta, "layout").toString()).isEqualTo(RedisKeys.LAYOUT);
        assertThat(redis.redis().execute("ZCARD", keys().order).toLong()).isEqualTo(2500);
        assertThat(redis.redis().execute("EXISTS", keys().migration).toLong()).isZero();

        assertThat(store.cursor()).as("same epoch, same sequence").isEqualTo(before);
        assertThat(store.snapshot(Optional.empty()).series()).hasSize(2500).extracting(Series::id)
                .containsExactlyElementsOf(sorted());
        assertThat(store.snapshot(Optional.of("m_1")).series()).hasSize(1000);
        clock.advance(Duration.ofSeconds(1));
        scrape(point("m_9", 1));
        assertThat(changesSince(before).events()).extracting(Change::id).containsExactly("m_9");
    }

    @Test
    void aFirstCallMigratesAndAsksForARetry() {
        previousLayout();
        assertThatThrownBy(() -> store.snapshot(Optional.of("m_0")))
                .isInstanceOf(BackendUnavailableException.class).hasMessageContaining("migrated");
        assertThat(store.snapshot(Optional.of("m_0")).series()).hasSize(1000);
    }

    @Test
    void whileAnotherReplicaMigratesThisOneWaits() {
        previousLayout();
        redis.redis().execute("SET", keys().migration, "another-replica", "PX", "30000");
        StoreBackend fresh = redis.backend(config);
        assertThat(fresh.unready(clock.instant())).hasValueSatisfying(reason -> assertThat(reason)
                .contains("key layout " + RedisKeys.PREVIOUS_LAYOUT));
        assertThat(redis.redis().execute("EXISTS", keys().order).toLong()).isZero();
        redis.redis().execute("DEL", keys().migration);
        assertThat(fresh.unready(clock.instant())).isEmpty();
    }
}
