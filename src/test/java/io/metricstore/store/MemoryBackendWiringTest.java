package io.metricstore.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.arc.Arc;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.enterprise.context.spi.Context;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.inject.Inject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** With {@code store.backend=memory} (the default) no Redis client is ever created, so nothing connects to Redis. */
@QuarkusTest
class MemoryBackendWiringTest {

    @Inject
    MetricStore store;

    @Test
    void theMemoryBackendIsSelectedByDefault() {
        assertThat(store.backendName()).isEqualTo("memory");
        assertThat(store.unready()).isEmpty();
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void noRedisClientIsCreated() {
        for (Class<?> type : List.of(RedisDataSource.class, ReactiveRedisDataSource.class,
                io.vertx.redis.client.Redis.class, io.vertx.mutiny.redis.client.Redis.class)) {
            for (Bean<?> bean : Arc.container().beanManager().getBeans(type)) {
                Context context = Arc.container().getActiveContext(bean.getScope());
                // Context.get without a creational context returns an existing instance and never creates one.
                assertThat(context == null ? null : context.get((Bean) bean)).as("instance of %s", type).isNull();
            }
        }
    }
}
