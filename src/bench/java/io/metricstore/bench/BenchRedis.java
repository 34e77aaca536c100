package io.metricstore.bench;

import io.metricstore.PackagedJar;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.runtime.datasource.BlockingRedisDataSourceImpl;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import redis.embedded.core.ExecutableProvider;

/**
 * A redis-server process of the benchmark's own on a free loopback port, and a {@link RedisDataSource} built without
 * CDI the way the Quarkus extension builds it (one Vert.x, a pooled client, the blocking data source).
 *
 * <p>Persistence is off ({@code --save "" --appendonly no}): the figures measure the store and Redis, not the disk.
 * The binary is {@value #BINARY} when set, else Debian's {@value #SYSTEM_BINARY} when present, else the one
 * shipped inside embedded-redis (Redis 6.2).
 */
final class BenchRedis implements AutoCloseable {

    static final String BINARY = "METRIC_STORE_BENCH_REDIS_BINARY";
    static final String SYSTEM_BINARY = "/usr/bin/redis-server";
    /** Quarkus' defaults for quarkus.redis.max-pool-size, max-pool-waiting and timeout. */
    private static final int MAX_POOL_SIZE = 6;
    private static final int MAX_POOL_WAITING = 24;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Process process;
    private final Path dir;
    private final Vertx vertx;
    private final Redis client;
    final RedisDataSource dataSource;

    private BenchRedis(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.vertx = Vertx.vertx();
        this.client = Redis.createClient(vertx, new RedisOptions()
                .setConnectionString("redis://127.0.0.1:" + port)
                .setMaxPoolSize(MAX_POOL_SIZE)
                .setMaxPoolWaiting(MAX_POOL_WAITING));
        this.dataSource = new BlockingRedisDataSourceImpl(vertx, client, RedisAPI.api(client), TIMEOUT);
    }

    static BenchRedis start() throws IOException, InterruptedException {
        int port = PackagedJar.freePort();
        Path dir = Files.createTempDirectory("metric-store-bench-redis");
        Process process = new ProcessBuilder(List.of(binary(), "--bind", "127.0.0.1", "--port", Integer.toString(port),
                "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--logfile", "redis.log"))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile())
                .start();
        awaitPong(process, port, dir);
        return new BenchRedis(process, dir, port);
    }

    private static String binary() throws IOException {
        String configured = System.getenv(BINARY);
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        if (Files.isExecutable(Path.of(SYSTEM_BINARY))) {
            return SYSTEM_BINARY;
        }
        return ExecutableProvider.newJarResourceProvider().get().getAbsolutePath();
    }

    /** Polls with an inline PING until the server answers, for at most ten seconds. */
    private static void awaitPong(Process process, int port, Path dir) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited with " + process.exitValue() + "; see " + dir);
            }
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setSoTimeout(1000);
                socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                byte[] reply = new byte[7];
                if (socket.getInputStream().readNBytes(reply, 0, reply.length) == reply.length
                        && "+PONG\r\n".equals(new String(reply, StandardCharsets.US_ASCII))) {
                    return;
                }
            } catch (IOException notYet) {
                // Not listening yet.
            }
            Thread.sleep(50);
        }
        process.destroyForcibly();
        throw new IllegalStateException("redis-server did not answer PING on port " + port + "; see " + dir);
    }

    @Override
    public void close() throws InterruptedException {
        client.close();
        vertx.closeAndAwait();
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
