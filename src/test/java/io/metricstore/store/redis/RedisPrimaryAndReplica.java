package io.metricstore.store.redis;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Map;

/**
 * A Redis primary and one replica of it, both real servers ({@link RedisTestServer.Server}); the application talks to
 * the primary. A test gets the replica, to stop and start it, through a field marked {@link Replica}.
 */
public class RedisPrimaryAndReplica implements QuarkusTestResourceLifecycleManager {

    /** Marks the {@link RedisControl} field that receives the replica. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface Replica {
    }

    private RedisTestServer.Server primary;
    private RedisTestServer.Server replica;

    @Override
    public Map<String, String> start() {
        primary = RedisTestServer.Server.launch();
        String[] address = primary.url().substring("redis://".length()).split(":");
        replica = RedisTestServer.Server.launch("replicaof " + address[0] + " " + address[1]);
        return Map.of("store.backend", "redis", "quarkus.redis.hosts", primary.url());
    }

    @Override
    public void stop() {
        if (replica != null) {
            replica.shutdown();
        }
        if (primary != null) {
            primary.shutdown();
        }
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(replica, new TestInjector.AnnotatedAndMatchesType(Replica.class, RedisControl.class));
    }
}
