package io.metricstore.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.metricstore.PackagedJar;
import io.metricstore.store.redis.RedisTestServer;
import io.metricstore.store.redis.Resp;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 16's resource test: the packaged service on Redis, with the pod's JVM options and authentication on, under a
 * bounded mix of a well-behaved client and abuse — every pattern the issue names, and {@value #FUZZED} fuzzed requests
 * ({@link Fuzz}) — for {@code resource.abuse-seconds} (120 by default). It asserts:
 * <ul>
 *   <li>no 5xx but a 503 with {@code Retry-After} (or one of SPEC §2's pinned 507 refusals of the caps, which say the
 *       store is full, not broken), and every abusive request refused with its own problem type;</li>
 *   <li>no request hangs beyond the configured timeouts (idle connections are closed, long-polls answer);</li>
 *   <li>the service's RSS stays under the pod's memory limit, and Redis' {@code used_memory} comes back near its
 *       baseline once the retention and the GC have removed what the abuse stored;</li>
 *   <li>the well-behaved client's writes and scrapes succeed throughout; its p99 with and without abuse is printed
 *       (a figure for the closing note, never asserted).</li>
 * </ul>
 * Short retention, tombstone retention and GC interval let the last check run within the test.
 */
class ResourceIT {

    private static final int FUZZED = Integer.getInteger("resource.fuzzed", 10_000);
    private static final int FUZZERS = 4;
    private static final Duration ABUSE = Duration.ofSeconds(Integer.getInteger("resource.abuse-seconds", 120));
    private static final Duration QUIET = Duration.ofSeconds(15);
    /** The pod's memory limit (k8s/base): the RSS that gets the pod killed. */
    private static final long POD_LIMIT_BYTES = 768L << 20;
    /** The image's JVM options for a 768 MiB pod, as the load driver runs them. */
    private static final List<String> POD_JVM = List.of("-XX:MaxRAM=768m", "-XX:MaxRAMPercentage=70",
            "-XX:+UseSerialGC", "-XX:MinHeapFreeRatio=40", "-XX:MaxHeapFreeRatio=70", "-XX:GCTimeRatio=4",
            "-XX:AdaptiveSizePolicyWeight=90", "-XX:+ExitOnOutOfMemoryError");
    /** The image's environment for the JVM (src/main/docker): glibc's malloc arenas bounded. */
    private static final Map<String, String> POD_ENVIRONMENT = Map.of("MALLOC_ARENA_MAX", "2");
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration MAX_WAIT = Duration.ofSeconds(10);
    private static final int MAX_WAITERS = 200;
    private static final int MAX_SERIES = 20_000;
    private static final Duration RETENTION = Duration.ofSeconds(20);
    /** The longest any answer may take: a long-poll's wait, then the slowest ordinary request on a loaded machine. */
    private static final Duration ANSWER_WITHIN = MAX_WAIT.plusSeconds(30);
    /** Requests per second of each abuse pattern. */
    private static final int ABUSE_RATE = Integer.getInteger("resource.abuse-rate", 5);
    /** How far above its baseline Redis' used_memory may stay once the abuse's data is gone (buffers, scripts). */
    private static final long REDIS_SLACK_BYTES = 2L << 20;

    private static RedisTestServer.Server redis;
    private static Process service;
    private static File log;
    private static int port;
    private static int management;
    private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** What every request answered, by pattern and status (a problem's type after the status). */
    private final Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
    private final Queue<String> violations = new ConcurrentLinkedQueue<>();
    private final AtomicLong rssPeak = new AtomicLong();

    @BeforeAll
    static void start() throws Exception {
        // Not fsynced on every write, unlike the other tests' Redis: this test writes as fast as it can.
        redis = RedisTestServer.Server.launch("appendonly no");
        port = PackagedJar.freePort();
        management = PackagedJar.freePort();
        log = Files.createTempFile("resource-it", ".log").toFile();
        List<String> command = new ArrayList<>();
        command.add(PackagedJar.java());
        command.addAll(POD_JVM);
        command.addAll(List.of("-Dquarkus.http.port=" + port, "-Dstore.backend=redis",
                "-Dquarkus.redis.hosts=" + redis.url(), "-Dstore.namespace=resource",
                "-Dstore.retention=" + RETENTION.toSeconds() + "s", "-Dstore.changes.tombstone-retention=10s",
                "-Dstore.gc.interval=2s", "-Dstore.max-series=" + MAX_SERIES,
                "-Dstore.changes.max-waiters=" + MAX_WAITERS, "-Dstore.changes.max-wait=" + MAX_WAIT.toSeconds() + "s",
                "-Dquarkus.http.idle-timeout=" + IDLE_TIMEOUT.toSeconds() + "s",
                "-Dquarkus.http.limits.max-connections=" + (MAX_WAITERS + 800), "-Dquarkus.log.level=WARN"));
        command.addAll(PackagedJar.secured(management));
        command.addAll(List.of("-jar", PackagedJar.JAR.toString()));
        ProcessBuilder launch = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log);
        launch.environment().putAll(POD_ENVIRONMENT);
        service = launch.start();
        PackagedJar.await(() -> PackagedJar.answers("http://localhost:" + management + "/q/health/ready", 200),
                Duration.ofSeconds(60), "the service ready");
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.destroy();
        }
        if (redis != null) {
            redis.shutdown();
        }
    }

    @Test
    void staysBoundedUnderAbuse() throws Exception {
        Sampler sampler = new Sampler();
        ExecutorService threads = Executors.newCachedThreadPool();
        GoodClient client = new GoodClient();
        Future<?> good = threads.submit(client::run);
        Thread.sleep(QUIET.toMillis());
        Phase quiet = client.next();
        long redisBaseline = usedMemory();

        Instant end = Instant.now().plus(ABUSE);
        List<Future<?>> abuse = new ArrayList<>();
        for (Runnable pattern : patterns()) {
            abuse.add(threads.submit(() -> repeatUntil(end, pattern)));
        }
        abuse.add(threads.submit(recorded(() -> holdSlowReaders(end))));
        abuse.add(threads.submit(recorded(() -> holdIdleConnections(end))));
        abuse.add(threads.submit(recorded(() -> floodLongPolls(end))));
        long seed = ThreadLocalRandom.current().nextLong();
        for (int i = 0; i < FUZZERS; i++) {
            int requests = FUZZED / FUZZERS + (i < FUZZED % FUZZERS ? 1 : 0);
            long fuzzerSeed = seed + i;
            abuse.add(threads.submit(recorded(() -> fuzz(fuzzerSeed, requests))));
        }
        ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor();
        progress.scheduleAtFixedRate(() -> System.out.println("resource test, so far: "
                + outcomes.values().stream().mapToLong(AtomicLong::get).sum() + " requests"), 30, 30, TimeUnit.SECONDS);
        for (Future<?> task : abuse) {
            task.get(ABUSE.toSeconds() + 600, TimeUnit.SECONDS);
        }
        progress.shutdownNow();
        Duration abused = Duration.between(end.minus(ABUSE), Instant.now());
        Phase underAbuse = client.next();
        long redisPeak = sampler.redisPeak;
        sampler.stop();

        // What the abuse stored expires with the retention; the GC removes it, then its tombstones.
        Instant drained = Instant.now();
        long[] redisAfter = {Long.MAX_VALUE};
        PackagedJar.await(() -> {
            redisAfter[0] = usedMemory();
            return redisAfter[0] <= redisBaseline + REDIS_SLACK_BYTES;
        }, RETENTION.plusSeconds(60), "Redis used_memory back near its baseline of " + redisBaseline + " bytes");
        Duration drainedIn = Duration.between(drained, Instant.now());
        Phase draining = client.stop();
        good.get(30, TimeUnit.SECONDS);
        threads.shutdownNow();

        String report = String.format("resource test: %d s of abuse and %d fuzzed requests (seed %d); service RSS peak "
                        + "%d MiB (bound %d MiB); Redis used_memory baseline %.1f MiB, peak %.1f MiB, %.1f MiB %d s after "
                        + "the abuse; the good client's p99 quiet: writes %d ms, scrapes %d ms (%s); under abuse: writes "
                        + "%d ms, scrapes %d ms (%s); outcomes %s",
                abused.toSeconds(), FUZZED, seed, rssPeak.get() >> 20, POD_LIMIT_BYTES >> 20,
                redisBaseline / 1048576.0, redisPeak / 1048576.0, redisAfter[0] / 1048576.0, drainedIn.toSeconds(),
                quiet.writes.p99(), quiet.scrapes.p99(), quiet, underAbuse.writes.p99(), underAbuse.scrapes.p99(),
                underAbuse, new TreeMap<>(outcomes));
        System.out.println(report);
        Files.writeString(Path.of("target", "resource-it.txt"), report + "\n");

        assertThat(violations).as("requests answered otherwise than the limits promise (seed %d)", seed).isEmpty();
        assertThat(rssPeak.get()).as("the service's RSS peak").isLessThan(POD_LIMIT_BYTES);
        for (Phase phase : List.of(quiet, underAbuse, draining)) {
            assertThat(phase.failures).as("the well-behaved client's failed requests").isEmpty();
        }
        // The drain may be over before the client's next request; the other two phases last seconds.
        for (Phase phase : List.of(quiet, underAbuse)) {
            assertThat(phase.writes.count()).isPositive();
            assertThat(phase.scrapes.count()).isPositive();
        }
        assertThat(service.isAlive()).as("the service still running").isTrue();
    }

    // --- the abuse ---------------------------------------------------------------------------------------------

    private List<Runnable> patterns() {
        return List.of(
                // Family descriptions: 1,000 new ones of 1 KiB help per request, until the cap refuses them.
                () -> expect("families", post(batch("[]", families(1000, 1024))), 200, "507 family-limit-exceeded"),
                // Error amplification: one point with ~300k short invalid label names, a 4 MB body.
                () -> {
                    HttpResponse<String> answer = post(amplifiedErrors());
                    expect("errors", answer, "400 validation");
                    if (answer.body().length() > 64 * 1024) {
                        violations.add("errors: a validation answer of " + answer.body().length() + " bytes");
                    }
                },
                // Series of the most bytes the character limits allow: 64 labels of 2 KiB values.
                () -> expect("huge-series", post(batch("[" + hugePoint() + "]", "")), "400 validation"),
                // A counter family whose base name is empty.
                () -> expect("empty-family", post(batch("[]", "\"_total\":{\"type\":\"counter\",\"help\":\"x\"}")),
                        "400 validation"),
                // New series until the cap refuses them.
                () -> expect("series-flood", post(batch(newSeries(1000), "")), 200, "507 series-limit-exceeded"),
                // Points from the future: a backfill an hour ahead, a scrape a minute ahead.
                () -> expect("future", post("{\"role\":\"worker\",\"source\":\"worker_backfill\",\"points\":[{\"name\":"
                        + "\"future\",\"value\":1,\"updatedAt\":\"" + Instant.now().plusSeconds(3600) + "\"}]}"),
                        "400 validation"),
                () -> expect("future", post(batch("[{\"name\":\"future\",\"value\":1,\"updatedAt\":\""
                        + Instant.now().plusSeconds(60) + "\"}]", "")), "400 validation"),
                // A body larger than the limit.
                () -> expect("big-body", post("{\"points\":[" + "{\"name\":\"x\",\"value\":1},".repeat(200_000) + "]}"),
                        "413"),
                // Whole snapshots and scrapes as fast as two callers can ask.
                () -> expect("snapshots", get("/api/v1/series"), 200, "503 too-many-reads"),
                () -> expect("scrapes", get("/metrics"), 200, "503 too-many-reads"),
                // Locks on ever new keys: no per-key state may outlive them.
                () -> {
                    String key = "flood-" + ThreadLocalRandom.current().nextLong();
                    expect("lock-flood", send(HttpRequest.newBuilder(uri("/api/v1/locks/dedup/" + key))
                            .POST(HttpRequest.BodyPublishers.ofString("{\"ttl\":\"2s\"}"))
                            .header("Content-Type", "application/json")), 201);
                });
    }

    /** {@code task}, a failure of which is recorded as a broken promise instead of ending the test's thread. */
    private Runnable recorded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException failed) {
                violations.add(String.valueOf(failed.getMessage()));
            }
        };
    }

    /**
     * Runs {@code pattern} at most {@link #ABUSE_RATE} times a second until {@code end}: abuse at a rate a real
     * misbehaving client fleet might reach, not as fast as the test's own cores allow (they are the service's too).
     */
    private void repeatUntil(Instant end, Runnable pattern) {
        while (Instant.now().isBefore(end)) {
            long started = System.nanoTime();
            try {
                pattern.run();
            } catch (RuntimeException failed) {
                violations.add(failed.getMessage());
            }
            sleep(Duration.ofNanos(Math.max(0, 1_000_000_000L / ABUSE_RATE - (System.nanoTime() - started))));
        }
    }

    /**
     * Eight clients at a time that ask for {@code /metrics} and stop reading its answer, each replaced after 30 s:
     * meanwhile every other request, the good client's scrapes included, must be served.
     */
    private void holdSlowReaders(Instant end) {
        Map<Socket, Instant> held = new HashMap<>();
        try {
            while (Instant.now().isBefore(end)) {
                held.entrySet().removeIf(socket -> socket.getValue().plusSeconds(30).isBefore(Instant.now())
                        && closeQuietly(socket.getKey()));
                while (held.size() < 8) {
                    Socket socket = new Socket();
                    socket.setReceiveBufferSize(1024);
                    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
                    socket.getOutputStream().write(("GET /metrics HTTP/1.1\r\nHost: localhost\r\nAuthorization: "
                            + PackagedJar.bearer() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    held.put(socket, Instant.now());
                    count("slow-readers opened");
                }
                Thread.sleep(1000);
            }
        } catch (IOException | InterruptedException e) {
            violations.add("slow readers: " + e);
        } finally {
            held.keySet().forEach(ResourceIT::closeQuietly);
        }
    }

    /**
     * Connections that send nothing, and requests whose body stops short of its {@code Content-Length}: the idle
     * timeout closes each one.
     */
    private void holdIdleConnections(Instant end) {
        List<Socket> idle = new ArrayList<>();
        try {
            while (Instant.now().isBefore(end)) {
                for (int i = 0; i < 50; i++) {
                    Socket socket = new Socket();
                    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
                    socket.setSoTimeout((int) IDLE_TIMEOUT.plusSeconds(30).toMillis());
                    if (i % 10 == 0) {
                        socket.getOutputStream().write(RawHttp.request("POST", "/api/v1/points", "Authorization: "
                                + PackagedJar.bearer() + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n",
                                "{\"points\":[".getBytes(StandardCharsets.US_ASCII)));
                    }
                    idle.add(socket);
                }
                Thread.sleep(5000);
            }
            for (Socket socket : idle) {
                // Each was opened at least the idle timeout ago, or is closed within it from now (a stalled request
                // may be answered first).
                try (InputStream in = socket.getInputStream()) {
                    in.readAllBytes();
                    count("idle connections closed");
                } catch (java.net.SocketTimeoutException hung) {
                    violations.add("idle connection still open after the idle timeout and 30 s");
                } catch (IOException reset) {
                    count("idle connections closed");
                }
            }
        } catch (IOException | InterruptedException e) {
            violations.add("idle connections: " + e);
        } finally {
            idle.forEach(ResourceIT::closeQuietly);
        }
    }

    /** More long-polls than waiter slots, again and again: the surplus is refused at once, the rest answer in time. */
    private void floodLongPolls(Instant end) {
        while (Instant.now().isBefore(end)) {
            String cursor = get("/api/v1/cursor").body().replaceAll(".*\"cursor\":\"([^\"]+)\".*", "$1");
            List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> polls = new ArrayList<>();
            for (int i = 0; i < MAX_WAITERS + 50; i++) {
                polls.add(http.sendAsync(authorized(HttpRequest.newBuilder(uri("/api/v1/changes?since=" + cursor
                        + "&wait=" + MAX_WAIT.toSeconds() + "s")).timeout(ANSWER_WITHIN)).GET().build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            for (var poll : polls) {
                try {
                    expect("long-polls", poll.get(ANSWER_WITHIN.toMillis(), TimeUnit.MILLISECONDS), 200,
                            "503 too-many-waiters", "410 cursor-expired");
                } catch (Exception hung) {
                    poll.cancel(true);
                    violations.add("long-poll: " + hung);
                }
            }
        }
    }

    private void fuzz(long seed, int requests) {
        Fuzz fuzz = new Fuzz(seed, PackagedJar.bearer());
        for (int i = 0; i < requests; i++) {
            byte[] request = fuzz.next();
            RawHttp.Answer answer = RawHttp.exchange(port, request, ANSWER_WITHIN);
            String line = new String(request, 0, Math.min(request.length, 120), StandardCharsets.ISO_8859_1)
                    .replace("\r\n", " | ");
            if (answer.status() == -1) {
                violations.add("fuzz (seed " + seed + ", #" + i + "): no answer within " + ANSWER_WITHIN + ": " + line);
            } else if (answer.status() >= 500 && !(answer.status() == 503 && answer.header("Retry-After").isPresent())
                    && !cap(answer.status())) {
                violations.add("fuzz (seed " + seed + ", #" + i + "): " + answer.status() + " to " + line);
            }
            count("fuzz " + (answer.status() <= 0 ? "closed" : answer.status()));
        }
    }

    // --- the well-behaved client ----------------------------------------------------------------------------------

    /**
     * Writes 50 series every 100 ms and scrapes {@code /metrics} every 500 ms, as an exporter and a Prometheus do,
     * from the start of the test to its end, counting each phase apart.
     */
    private final class GoodClient {
        private volatile Phase phase = new Phase();
        private volatile boolean stopped;

        Phase next() {
            Phase ended = phase;
            phase = new Phase();
            return ended;
        }

        Phase stop() {
            stopped = true;
            return phase;
        }

        void run() {
            StringBuilder points = new StringBuilder("[");
            for (int i = 0; i < 50; i++) {
                points.append(i == 0 ? "" : ",").append("{\"name\":\"good_up\",\"labels\":{\"i\":\"").append(i)
                        .append("\"},\"value\":1}");
            }
            String batch = batch(points.append(']').toString(), "");
            for (int round = 0; !stopped; round++) {
                Phase current = phase;
                try {
                    exchange(current, batch, round);
                } catch (RuntimeException failed) {
                    current.failures.add(String.valueOf(failed.getMessage()));
                }
                sleep(Duration.ofMillis(100));
            }
        }

        private void exchange(Phase current, String batch, int round) {
            long started = System.nanoTime();
            HttpResponse<String> written = post(batch);
            current.writes.add(started);
            if (written.statusCode() != 200) {
                current.failures.add("write: " + written.statusCode() + " " + written.body());
            }
            if (round % 5 == 0) {
                started = System.nanoTime();
                HttpResponse<String> scraped = get("/metrics");
                // A scrape beyond the read permits is told when to come back, and does.
                for (int retry = 0; scraped.statusCode() == 503 && retry < 5; retry++) {
                    current.retried.incrementAndGet();
                    sleep(Duration.ofSeconds(Long.parseLong(scraped.headers().firstValue("Retry-After").orElse("1"))));
                    scraped = get("/metrics");
                }
                current.scrapes.add(started);
                if (scraped.statusCode() != 200 || !scraped.body().contains("good_up{i=\"49\"}")) {
                    current.failures.add("scrape: " + scraped.statusCode());
                }
            }
        }
    }

    /** What the good client saw in one phase of the test. */
    private static final class Phase {
        final Latencies writes = new Latencies();
        final Latencies scrapes = new Latencies();
        final AtomicLong retried = new AtomicLong();
        final Queue<String> failures = new ConcurrentLinkedQueue<>();

        @Override
        public String toString() {
            return writes.count() + " writes, " + scrapes.count() + " scrapes, " + retried + " scrapes retried after 503";
        }
    }

    private static final class Latencies {
        private final List<Long> millis = Collections.synchronizedList(new ArrayList<>());

        void add(long startedNanos) {
            millis.add((System.nanoTime() - startedNanos) / 1_000_000);
        }

        long count() {
            return millis.size();
        }

        long p99() {
            List<Long> sorted = new ArrayList<>(millis);
            Collections.sort(sorted);
            return sorted.isEmpty() ? -1 : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * 0.99) - 1));
        }
    }

    /** Samples the service's RSS (from {@code /proc}) and Redis' {@code used_memory} every 500 ms. */
    private final class Sampler {
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        volatile long redisPeak;

        Sampler() {
            timer.scheduleAtFixedRate(() -> {
                rssPeak.accumulateAndGet(rss(), Math::max);
                redisPeak = Math.max(redisPeak, usedMemory());
            }, 0, 500, TimeUnit.MILLISECONDS);
        }

        void stop() {
            timer.shutdownNow();
        }
    }

    // --- requests and their checks --------------------------------------------------------------------------------

    private static String batch(String points, String families) {
        return "{\"role\":\"leader\",\"source\":\"leader_scrape\",\"points\":" + points
                + (families.isEmpty() ? "" : ",\"families\":{" + families + "}") + "}";
    }

    private static String families(int count, int helpBytes) {
        StringBuilder families = new StringBuilder();
        String help = "h".repeat(helpBytes);
        long base = ThreadLocalRandom.current().nextLong(Long.MAX_VALUE / 2);
        for (int i = 0; i < count; i++) {
            families.append(i == 0 ? "" : ",").append("\"abuse_family_").append(base + i)
                    .append("\":{\"type\":\"gauge\",\"help\":\"").append(help).append("\"}");
        }
        return families.toString();
    }

    private static String amplifiedErrors() {
        StringBuilder labels = new StringBuilder("{");
        for (int i = 0; labels.length() < 3_900_000; i++) {
            labels.append(i == 0 ? "" : ",").append("\"0").append(Integer.toString(i, 36)).append("\":\"\"");
        }
        return batch("[{\"name\":\"amplified\",\"labels\":" + labels.append('}') + ",\"value\":1}]", "");
    }

    private static String hugePoint() {
        StringBuilder labels = new StringBuilder("{");
        String value = "v".repeat(2048);
        for (int i = 0; i < 64; i++) {
            labels.append(i == 0 ? "" : ",").append("\"l").append(i).append("\":\"").append(value).append('"');
        }
        return "{\"name\":\"huge\",\"labels\":" + labels.append('}') + ",\"value\":1}";
    }

    private static String newSeries(int count) {
        StringBuilder points = new StringBuilder("[");
        long base = ThreadLocalRandom.current().nextLong(Long.MAX_VALUE / 2);
        for (int i = 0; i < count; i++) {
            points.append(i == 0 ? "" : ",").append("{\"name\":\"abuse_series\",\"labels\":{\"n\":\"").append(base + i)
                    .append("\"},\"value\":1}");
        }
        return points.append(']').toString();
    }

    private static URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    private static HttpRequest.Builder authorized(HttpRequest.Builder request) {
        return request.header("Authorization", PackagedJar.bearer());
    }

    private static HttpResponse<String> post(String body) {
        return send(HttpRequest.newBuilder(uri("/api/v1/points")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    /**
     * The answer, headers and body, within {@link #ANSWER_WITHIN} in all (the client's own timeout stops at the
     * headers): a request that takes longer is a hang, reported as such.
     */
    private static HttpResponse<String> send(HttpRequest.Builder request) {
        HttpRequest built = authorized(request).timeout(ANSWER_WITHIN).build();
        java.util.concurrent.CompletableFuture<HttpResponse<String>> answer =
                http.sendAsync(built, HttpResponse.BodyHandlers.ofString());
        try {
            return answer.get(ANSWER_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException hung) {
            answer.cancel(true);
            throw new IllegalStateException(built.method() + " " + built.uri().getPath() + ": no whole answer within "
                    + ANSWER_WITHIN);
        } catch (java.util.concurrent.ExecutionException failed) {
            throw new IllegalStateException(built.method() + " " + built.uri().getPath() + ": " + failed.getCause(),
                    failed.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Records the answer and checks it is one of {@code allowed}: a status (a number) or a status and problem type
     * ({@code "503 too-many-reads"}). Every 503 must carry {@code Retry-After}.
     */
    private void expect(String pattern, HttpResponse<String> answer, Object... allowed) {
        String outcome = answer.statusCode() + problemType(answer).map(type -> " " + type).orElse("");
        count(pattern + " " + outcome);
        if (answer.statusCode() == 503 && answer.headers().firstValue("Retry-After").isEmpty()) {
            violations.add(pattern + ": 503 without Retry-After");
        }
        for (Object one : allowed) {
            if (one.equals(answer.statusCode()) || one.equals(outcome) || one.equals(Integer.toString(answer.statusCode()))) {
                return;
            }
        }
        violations.add(pattern + ": " + outcome + " " + answer.body().substring(0, Math.min(300, answer.body().length())));
    }

    /** The problem type of a problem document, without its prefix. */
    private static Optional<String> problemType(HttpResponse<String> answer) {
        if (!answer.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json")) {
            return Optional.empty();
        }
        String prefix = "urn:metric-store:problem:";
        int at = answer.body().indexOf(prefix);
        return at < 0 ? Optional.empty()
                : Optional.of(answer.body().substring(at + prefix.length(), answer.body().indexOf('"', at)));
    }

    /** The caps' pinned refusals (SPEC §2): the store is full, not broken. */
    private static boolean cap(int status) {
        return status == 507;
    }

    private void count(String outcome) {
        outcomes.computeIfAbsent(outcome, o -> new AtomicLong()).incrementAndGet();
    }

    private static boolean closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing is all that is left to do with it.
        }
        return true;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private long rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(service.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (IOException gone) {
            violations.add("the service's /proc status unreadable: " + gone);
        }
        return 0;
    }

    private static long usedMemory() {
        return Long.parseLong(Resp.info(URI.create(redis.url()).getPort(), "memory").get("used_memory"));
    }
}
