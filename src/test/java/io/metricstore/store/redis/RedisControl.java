package io.metricstore.store.redis;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** What a test may do to the Redis server its test resource runs. */
public interface RedisControl {

    /** Marks the field {@link RedisTestServer} fills in. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    @interface Inject {
    }

    /** {@code redis://host:port} of the server. */
    String url();

    /** False when the server is an external one the tests must not stop. */
    boolean controllable();

    /** Kills the server at once, as a crash would (no final save). */
    void kill();

    /** Starts the server again on the same port and data directory. */
    void start();
}
