package io.metricstore.store.redis;

import io.metricstore.PackagedJar;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import redis.embedded.RedisServer;
import redis.embedded.core.ExecutableProvider;
import redis.embedded.core.RedisServerBuilder;

/**
 * A real Redis server for the tests, never a mock. By default the {@code redis-server} binary shipped inside
 * embedded-redis (Redis 6.2) runs on a free loopback port, with the append-only file fsynced on every write. Two
 * environment variables change that:
 * <ul>
 *   <li>{@code METRIC_STORE_TEST_REDIS_BINARY}: run this binary instead (CI uses Debian's Redis 7 this way);</li>
 *   <li>{@code METRIC_STORE_TEST_REDIS}: use this running server ({@code redis://host:port}); tests that stop Redis
 *       are then skipped.</li>
 * </ul>
 */
public class RedisTestServer implements QuarkusTestResourceLifecycleManager {

    public static final String EXTERNAL = "METRIC_STORE_TEST_REDIS";
    public static final String BINARY = "METRIC_STORE_TEST_REDIS_BINARY";

    private Server server;

    @Override
    public Map<String, String> start() {
        String external = System.getenv(EXTERNAL);
        if (external != null && !external.isBlank()) {
            server = new Server(external, null);
        } else {
            server = Server.launch();
        }
        return Map.of("store.backend", "redis", "quarkus.redis.hosts", server.url());
    }

    @Override
    public void stop() {
        if (server != null) {
            server.shutdown();
        }
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(server, new TestInjector.AnnotatedAndMatchesType(RedisControl.Inject.class,
                RedisControl.class));
    }

    /** A server this resource runs (process set) or an external one (process null). */
    public static final class Server implements RedisControl {
        private final String url;
        private final RedisServer process;

        Server(String url, RedisServer process) {
            this.url = url;
            this.process = process;
        }

        /** Runs a server of this resource's own, with extra {@code redis.conf} lines. */
        public static Server launch(String... settings) {
            try {
                int port = PackagedJar.freePort();
                Path dir = Files.createTempDirectory("metric-store-redis");
                String binary = System.getenv(BINARY);
                ExecutableProvider executable = binary == null || binary.isBlank()
                        ? ExecutableProvider.newJarResourceProvider()
                        : () -> new File(binary);
                RedisServerBuilder builder = RedisServer.newRedisServer()
                        .executableProvider(executable)
                        .bind("127.0.0.1")
                        .port(port)
                        .setting("dir " + dir)
                        .setting("appendonly yes")
                        .setting("appendfsync always")
                        .setting("save \"\"");
                for (String setting : settings) {
                    builder.setting(setting);
                }
                RedisServer process = builder.build();
                Server server = new Server("redis://127.0.0.1:" + port, process);
                server.start();
                return server;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public String url() {
            return url;
        }

        @Override
        public boolean controllable() {
            return process != null;
        }

        @Override
        public void kill() {
            try {
                // SIGKILL: nothing is flushed on the way out, so only what was fsynced survives.
                ProcessHandle redis = ProcessHandle.of(pid()).orElseThrow();
                redis.destroyForcibly();
                redis.onExit().orTimeout(10, TimeUnit.SECONDS).join();
                process.stop();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Asks the server for its process id. */
        private long pid() {
            return Long.parseLong(Resp.info(URI.create(url).getPort(), "server").get("process_id"));
        }

        @Override
        public void start() {
            try {
                process.start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        public void shutdown() {
            if (process != null) {
                try {
                    process.stop();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }
}
