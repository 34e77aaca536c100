package io.metricstore.store.redis;

import static io.metricstore.store.TestStore.point;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.metricstore.store.RawPoint;
import io.metricstore.store.SnapshotPageContract;
import io.metricstore.store.StoreBackend;
import io.metricstore.store.StoreConfig;
import io.metricstore.store.StoreException;
import io.metricstore.store.model.Series;
import io.metricstore.store.model.SnapshotPage;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

    /**
     * The per-name index: a snapshot of one metric name costs round trips and keys for that name's series alone,
     * however many series other names have (each script declares every key it reads, so the keys declared are the
     * keys read).
     */
    @Test
    void aNamesSnapshotReadsOnlyThatNamesSeries() {
        use("store.max-series", "5000", "store.max-batch", "1000");
        for (int batch = 0; batch < 3; batch++) {
            List<RawPoint> others = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                others.add(point("b", Map.of("i", batch + "-" + i), i, null));
            }
            scrape(others.toArray(RawPoint[]::new));
        }
        scrape(point("a", 1), point("a", Map.of("k", "1"), 1, null), point("a", Map.of("k", "2"), 1, null),
                point("c", 1));
        RedisKeys keys = new RedisKeys(config.namespace());
        assertThat(redis.redis().execute("ZLEXCOUNT", keys.order, "[a\u0000", "(a\u0001").toLong()).isEqualTo(3);

        List<Integer> keysDeclared = new ArrayList<>();
        RedisDataSource application = redis.redis();
        RedisDataSource counting = (RedisDataSource) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {RedisDataSource.class}, (proxy, method, args) -> {
                    if (method.getName().equals("execute") && args.length == 2 && args[1] instanceof String[] command
                            && (args[0].equals("EVALSHA") || args[0].equals("EVAL"))) {
                        keysDeclared.add(Integer.parseInt(command[1]));
                    }
                    try {
                        return method.invoke(application, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        SnapshotPage page = redis.backend(config, counting).snapshotPage(Optional.of("a"), Optional.empty(), 1000,
                clock.instant());
        assertThat(page.series()).extracting(Series::id).containsExactly("a", "a{k=\"1\"}", "a{k=\"2\"}");
        assertThat(keysDeclared).as("order.lua (meta, seq, horizon, order), then states.lua (a's three series)")
                .containsExactly(4, 3);
    }
}
