package io.metricstore.store.redis;

import io.metricstore.store.StoreBackend;
import io.metricstore.store.StoreConfig;
import io.metricstore.store.WatchContract;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/**
 * The watch contract (change signals), against a real Redis server, a namespace per store. The backend polls its
 * cursor only once an hour ({@code store.exposition.refresh}), so every signal after the first (the warm-up write's)
 * comes through the subscription, that is from the scripts' {@code PUBLISH}.
 */
@QuarkusTest
@TestProfile(RedisProfile.class)
class RedisWatchContractTest extends WatchContract {

    @Inject
    RedisContractBackends redis;

    private final List<RedisBackend> opened = new ArrayList<>();

    @Override
    protected String[] backendConfig() {
        List<String> properties = new ArrayList<>(List.of(redis.freshNamespace()));
        properties.addAll(List.of("store.exposition.refresh", "1h"));
        return properties.toArray(String[]::new);
    }

    @Override
    protected StoreBackend newBackend(StoreConfig config) {
        RedisBackend backend = (RedisBackend) redis.backend(config);
        opened.add(backend);
        return backend;
    }

    /**
     * A write may be told twice: by a poll (when the watch starts and when its subscription is confirmed) that read
     * the cursor after the write and reported it before the write's message arrived, then by the message. The poll
     * when the watch starts may be slow (its first script call), so the repeat may come long after the write.
     */
    @Override
    protected boolean repeatsSignals() {
        return true;
    }

    /** Each backend holds a subscription, a connection and a thread: end them with the test. */
    @AfterEach
    void closeBackends() {
        opened.forEach(RedisBackend::stopWatching);
    }
}
