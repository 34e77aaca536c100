package io.metricstore.bench.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The measured workloads. Each returns one sample per run (throughput) or per request (latency). */
final class Workloads {

    private static final int BATCH = 1000;
    private static final Pattern CURSOR = Pattern.compile("\"cursor\":\"([^\"]+)\"");
    private static final Pattern FENCE = Pattern.compile("\"fence\":(\\d+)");
    /** How often a write answered 503 is sent: too few replicas may have confirmed it in time. */
    private static final int WRITE_ATTEMPTS = 10;

    /** Every write carries a new value, so every point is applied, never an unchanged replay. */
    private final AtomicLong values = new AtomicLong(1);
    /** Write requests (batches, lock acquires) sent, and how many of them answered 503 and were sent again. */
    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong refusedWrites = new AtomicLong();
    private final Settings settings;

    record Settings(int writers, int lockClients, int runs, double runSeconds, double warmupSeconds) {
    }

    /**
     * Throughput of one run, the latencies of its requests, the server's CPU time per item and that of each process
     * behind it (the Redis servers, in the order given), and the machine's load average when it ended.
     */
    record Run(double perSecond, Samples latencyMillis, double cpuMicrosPerItem, double[] backendCpuMicrosPerItem,
            String loadAverage) {
    }

    /**
     * The runs of two variants of a workload on the same service, alternating: run i of {@code first} and run i of
     * {@code second} ran back to back, so they make a pair that met the same machine.
     */
    record Paired(List<Run> first, List<Run> second) {
    }

    /** A server process, whose CPU time each run reads. */
    interface Server {
        double cpuSeconds() throws IOException;
    }

    Workloads(Settings settings) {
        this.settings = settings;
    }

    /** Write requests sent since the last call (which starts the count anew), and how many of them answered 503. */
    WriteCount writeCount() {
        return new WriteCount(refusedWrites.getAndSet(0), writes.getAndSet(0));
    }

    record WriteCount(long refused, long sent) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%,d of %,d", refused, sent);
        }
    }

    /** Writes series {@code [from, to)} once, so that {@code to} series are stored. */
    void fill(Target target, int from, int to) throws IOException {
        try (HttpConnection connection = target.connect()) {
            for (int first = from; first < to; first += BATCH) {
                write(connection, target, first, BATCH);
            }
        }
    }

    /** 1,000-point batches over the {@code stored} series: points per second and CPU per point of each run. */
    List<Run> ingest(Server server, List<? extends Server> backends, Target target, int stored) throws Exception {
        return Runner.runs(target, server, backends, settings.writers(), settings, writer(target, stored));
    }

    /**
     * The ingest workload without a lease and with every batch under {@code lease} (which the driver holds for the
     * whole workload), their runs alternating on the same connections.
     */
    Paired ingestUnderLease(Server server, List<? extends Server> backends, Target.MetricStore target,
            Target.Lease lease, int stored) throws Exception {
        return Runner.alternating(target, server, backends, settings.writers(), settings, writer(target, stored),
                writer(target.underLease(lease), stored));
    }

    /** One writer's next batch of the ingest workload. */
    private Runner.Body writer(Target target, int stored) {
        int batches = stored / BATCH;
        int writers = settings.writers();
        // Each writer owns the batches b with b % writers == its number, so a series always has one writer and its
        // timestamps only grow: no write is refused as stale by a concurrent older one.
        AtomicLong writerNumbers = new AtomicLong();
        ThreadLocal<long[]> own = ThreadLocal.withInitial(() -> new long[] {writerNumbers.getAndIncrement(), 0});
        Runner.Body writer = connection -> {
            long[] state = own.get();
            long owned = (batches - state[0] + writers - 1) / writers;
            long batch = state[0] + writers * (state[1]++ % owned);
            write(connection, target, (int) batch * BATCH, BATCH);
            return BATCH;
        };
        return writer;
    }

    /** Milliseconds to read the whole {@code /metrics} page, and its size in bytes. */
    Samples scrape(Target target, int scrapes, long[] bytes) throws IOException {
        Samples millis = new Samples();
        try (HttpConnection connection = target.connect()) {
            for (int i = 0; i < scrapes / 3 + 1; i++) {
                connection.getDiscarding("/metrics");
            }
            for (int i = 0; i < scrapes; i++) {
                long start = System.nanoTime();
                HttpConnection.Response page = connection.getDiscarding("/metrics");
                millis.add((System.nanoTime() - start) / 1e6);
                if (page.status() != 200) {
                    throw new IOException("scrape answered " + page.status());
                }
                bytes[0] = page.wireBytes();
            }
        }
        return millis;
    }

    /** How many {@code bench_metric_*} samples a scrape shows. */
    static long seriesOnPage(Target target) throws IOException {
        try (HttpConnection connection = target.connect()) {
            String page = connection.get("/metrics").text();
            return page.lines().filter(line -> line.startsWith("bench_metric_")).count();
        }
    }

    /**
     * Milliseconds of {@code GET /changes} right after 10 points were written among {@code stored} series: the
     * follower's cost of staying fresh.
     */
    Samples delta(Target.MetricStore target, int stored, int reads) throws IOException {
        Samples millis = new Samples();
        try (HttpConnection connection = target.connect()) {
            for (int i = 0; i < reads + reads / 4; i++) {
                String cursor = cursorOf(connection.get("/api/v1/cursor").text());
                int first = (int) ((i * 7919L * 10) % (stored - 10));
                write(connection, target, first, 10);
                long start = System.nanoTime();
                HttpConnection.Response delta = connection.get("/api/v1/changes?since=" + cursor);
                double elapsed = (System.nanoTime() - start) / 1e6;
                String text = delta.text();
                if (delta.status() != 200 || count(text, "\"deleted\":false") != 10) {
                    throw new IOException("delta did not show 10 changes: " + delta.status() + " " + text);
                }
                if (i >= reads / 4) {
                    millis.add(elapsed);
                }
            }
        }
        return millis;
    }

    /** Lock acquire + release pairs per second (one sample per run) and the latency of each pair. */
    List<Run> locks(Target.MetricStore target, Server server, List<? extends Server> backends) throws Exception {
        return Runner.runs(target, server, backends, settings.lockClients(), settings, lockPair());
    }

    /**
     * Lock acquire + release pairs and lease campaign + resign pairs, their runs alternating on the same connections.
     */
    Paired locksAndLeases(Target.MetricStore target, Server server, List<? extends Server> backends)
            throws Exception {
        return Runner.alternating(target, server, backends, settings.lockClients(), settings, lockPair(),
                leasePair());
    }

    /** One client's next lock pair: its own key, a new token every time. */
    private Runner.Body lockPair() {
        AtomicLong clients = new AtomicLong();
        ThreadLocal<String> keys = ThreadLocal.withInitial(() -> "bench-" + clients.getAndIncrement());
        AtomicLong tokens = new AtomicLong();
        Runner.Body pair = connection -> {
            String key = keys.get();
            String token = "t" + tokens.incrementAndGet();
            HttpConnection.Response acquired = sendWrite(connection, new Target.Request("POST",
                    "/api/v1/locks/job/" + key, "application/json",
                    ("{\"ttl\":\"30s\",\"token\":\"" + token + "\"}").getBytes(StandardCharsets.UTF_8))).answer();
            if (acquired.status() != 201) {
                throw new IOException("acquire answered " + acquired.status() + " " + acquired.text());
            }
            HttpConnection.Response released = connection.send("DELETE", "/api/v1/locks/job/" + key, null, null,
                    "Lock-Token: " + token + "\r\n");
            if (released.status() != 204) {
                throw new IOException("release answered " + released.status() + " " + released.text());
            }
            return 1;
        };
        return pair;
    }

    /**
     * One client's next lease pair, as the lock pairs: its own lease name, a new token every time, so every campaign
     * takes a free lease with the next fence and every resign frees it.
     */
    private Runner.Body leasePair() {
        AtomicLong clients = new AtomicLong();
        ThreadLocal<String> names = ThreadLocal.withInitial(() -> "bench-lease-" + clients.getAndIncrement());
        AtomicLong tokens = new AtomicLong();
        return connection -> {
            String name = names.get();
            String token = "l" + tokens.incrementAndGet();
            HttpConnection.Response held = sendWrite(connection, campaignRequest(name, "30s", token)).answer();
            if (held.status() != 201) {
                throw new IOException("campaign answered " + held.status() + " " + held.text());
            }
            HttpConnection.Response resigned = connection.send("DELETE", "/api/v1/leases/" + name, null, null,
                    "Lease-Token: " + token + "\r\n");
            if (resigned.status() != 204) {
                throw new IOException("resign answered " + resigned.status() + " " + resigned.text());
            }
            return 1;
        };
    }

    /** Campaigns for lease {@code name} with {@code token} for {@code ttl}: the lease, held, with its fence. */
    Target.Lease campaign(Target.MetricStore target, String name, String ttl, String token) throws IOException {
        try (HttpConnection connection = target.connect()) {
            HttpConnection.Response held = sendWrite(connection, campaignRequest(name, ttl, token)).answer();
            Matcher fence = FENCE.matcher(held.text());
            if (held.status() != 201 || !fence.find()) {
                throw new IOException("campaign for " + name + " answered " + held.status() + " " + held.text());
            }
            return new Target.Lease(name, token, Long.parseLong(fence.group(1)));
        }
    }

    /** Resigns a lease the driver holds. */
    void resign(Target.MetricStore target, Target.Lease lease) throws IOException {
        try (HttpConnection connection = target.connect()) {
            HttpConnection.Response resigned = connection.send("DELETE", "/api/v1/leases/" + lease.name(), null,
                    null, "Lease-Token: " + lease.token() + "\r\n");
            if (resigned.status() != 204) {
                throw new IOException("resign of " + lease.name() + " answered " + resigned.status() + " "
                        + resigned.text());
            }
        }
    }

    private static Target.Request campaignRequest(String name, String ttl, String token) {
        return new Target.Request("POST", "/api/v1/leases/" + name, "application/json",
                ("{\"ttl\":\"" + ttl + "\",\"token\":\"" + token + "\",\"holder\":\"load-driver\"}")
                        .getBytes(StandardCharsets.UTF_8));
    }

    private void write(HttpConnection connection, Target target, int first, int count) throws IOException {
        Sent sent = sendWrite(connection, target.write(first, count, values.getAndIncrement()));
        target.check(sent.answer(), count, sent.replayed());
    }

    /** The last answer to a write, and whether it answers a replay. */
    private record Sent(HttpConnection.Response answer, boolean replayed) {
    }

    /**
     * Sends a write; a 503 (with store.redis.min-replicas-ack: too few replicas confirmed it in time) is sent again
     * at once, unchanged, as the API asks of a client (a replay changes nothing, and a lock acquire with the same
     * token wins again). {@code Retry-After} is not waited for: the breaker is not involved.
     */
    private Sent sendWrite(HttpConnection connection, Target.Request request) throws IOException {
        for (int attempt = 1; ; attempt++) {
            writes.incrementAndGet();
            HttpConnection.Response answer =
                    connection.send(request.method(), request.path(), request.contentType(), request.body());
            if (answer.status() != 503 || attempt == WRITE_ATTEMPTS) {
                return new Sent(answer, attempt > 1);
            }
            refusedWrites.incrementAndGet();
        }
    }

    private static String cursorOf(String json) throws IOException {
        Matcher matcher = CURSOR.matcher(json);
        if (!matcher.find()) {
            throw new IOException("no cursor in " + json);
        }
        return matcher.group(1);
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
            n++;
        }
        return n;
    }

    /** Runs a body on several connections for a warm-up, then for the measured runs. */
    static final class Runner {

        /** One unit of work on a connection; returns how many items (points, pairs) it did. */
        interface Body {
            int run(HttpConnection connection) throws IOException;
        }

        /** {@code clients} connections to {@code target}; {@code server} is its process, whose CPU time is read. */
        static List<Run> runs(Target target, Server server, List<? extends Server> backends, int clients,
                Settings settings, Body body) throws Exception {
            return interleaved(target, server, backends, clients, settings, List.of(body)).get(0);
        }

        /**
         * Two bodies on the same connections: a warm-up of each, then their runs in the order A B, B A, A B, … so
         * that a change of the machine's load during the runs falls on both alike, and neither always runs second.
         */
        static Paired alternating(Target target, Server server, List<? extends Server> backends, int clients,
                Settings settings, Body first, Body second) throws Exception {
            List<List<Run>> runs = interleaved(target, server, backends, clients, settings, List.of(first, second));
            return new Paired(runs.get(0), runs.get(1));
        }

        /** The runs of each body, in rounds of one run each, every other round in reverse order. */
        private static List<List<Run>> interleaved(Target target, Server server, List<? extends Server> backends,
                int clients, Settings settings, List<Body> bodies) throws Exception {
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            List<HttpConnection> connections = new ArrayList<>();
            try {
                for (int i = 0; i < clients; i++) {
                    connections.add(target.connect());
                }
                List<List<Run>> runs = new ArrayList<>();
                for (Body body : bodies) {
                    once(server, backends, pool, connections, settings.warmupSeconds(), body);
                    runs.add(new ArrayList<>());
                }
                for (int i = 0; i < settings.runs(); i++) {
                    for (int b = 0; b < bodies.size(); b++) {
                        int which = i % 2 == 0 ? b : bodies.size() - 1 - b;
                        runs.get(which).add(once(server, backends, pool, connections, settings.runSeconds(),
                                bodies.get(which)));
                    }
                }
                return runs;
            } finally {
                pool.shutdownNow();
                for (HttpConnection connection : connections) {
                    connection.close();
                }
            }
        }

        private static Run once(Server server, List<? extends Server> backends, ExecutorService pool,
                List<HttpConnection> connections, double seconds, Body body) throws Exception {
            double cpuBefore = server.cpuSeconds();
            double[] backendCpu = new double[backends.size()];
            for (int i = 0; i < backendCpu.length; i++) {
                backendCpu[i] = backends.get(i).cpuSeconds();
            }
            long start = System.nanoTime();
            long deadline = start + (long) (seconds * 1e9);
            List<Future<long[]>> done = new ArrayList<>();
            Samples latency = new Samples();
            for (HttpConnection connection : connections) {
                Callable<long[]> client = () -> {
                    long items = 0;
                    Samples own = new Samples();
                    for (long now = System.nanoTime(); now < deadline; ) {
                        items += body.run(connection);
                        long after = System.nanoTime();
                        own.add((after - now) / 1e6);
                        now = after;
                    }
                    latency.addAll(own);
                    return new long[] {items, System.nanoTime()};
                };
                done.add(pool.submit(client));
            }
            long items = 0;
            long end = start;
            for (Future<long[]> future : done) {
                long[] result = future.get();
                items += result[0];
                end = Math.max(end, result[1]);
            }
            double cpu = server.cpuSeconds() - cpuBefore;
            for (int i = 0; i < backendCpu.length; i++) {
                backendCpu[i] = (backends.get(i).cpuSeconds() - backendCpu[i]) * 1e6 / items;
            }
            return new Run(items / ((end - start) / 1e9), latency, cpu * 1e6 / items, backendCpu,
                    Options.loadAverage());
        }
    }
}
