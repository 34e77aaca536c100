package io.metricstore.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Runs the packaged Metric Store (memory and Redis backends, Redis optionally with a replica, which may have to
 * acknowledge every write) and Prometheus' Pushgateway on loopback, drives the same workloads against them over HTTP
 * and prints a Markdown report. Every figure is the median of several runs after a warm-up; see docs/benchmarks.md
 * for the method and src/bench/load.sh for the command.
 *
 * <p>The service runs with authentication off unless {@code --auth} says otherwise; given several modes ({@code
 * --auth off,static,jwt}) or {@code --repeats} above 1, each Metric Store target is launched once per mode and
 * repeat, interleaved, and the report compares the modes ({@link Comparison}).
 *
 * <p>Workloads {@code ingest-lease} and {@code lease-pairs} (issue 15) measure two variants on the same service in
 * alternating runs: ingest without a lease and with every batch under a held lease; lock acquire + release pairs and
 * lease campaign + resign pairs. Their figures go to the report's side-by-side table.
 */
public final class LoadDriver {

    private static final int SMALL = 10_000;
    private static final int LARGE = 100_000;

    private final Options options;
    private final Workloads workloads;
    private final Report report = new Report();
    private final Path out;
    private final List<Auth.Mode> modes;
    private final Map<Auth.Mode, Auth> auth = new LinkedHashMap<>();
    private final int repeats;
    /** Set when several modes or repeats are measured: then their figures go here, not to {@link #report}. */
    private final Comparison comparison;

    /** Where a measured service's figures go: its column, the authentication it runs with, which repeat. */
    private record Column(String name, Auth auth, int repeat) {
    }

    private LoadDriver(Options options) throws IOException {
        this.options = options;
        this.out = Path.of(options.text("out", "target/bench"));
        Files.createDirectories(out);
        this.workloads = new Workloads(new Workloads.Settings(options.integer("writers", 2),
                options.integer("lock-clients", 4), options.integer("runs", 5), options.decimal("run-seconds", 5), options.decimal("warmup-seconds", 5)));
        this.modes = Arrays.stream(options.text("auth", "off").split(",")).map(Auth.Mode::of).distinct().toList();
        for (Auth.Mode mode : modes) {
            auth.put(mode, Auth.of(mode, out.resolve("auth")));
        }
        this.repeats = options.integer("repeats", 1);
        this.comparison = modes.size() > 1 || repeats > 1 ? new Comparison(modes) : null;
    }

    public static void main(String[] args) throws Exception {
        new LoadDriver(Options.parse(args, "usage: LoadDriver [--option value]…; options: jar, redis-server, "
                + "pushgateway, targets (startup,memory,redis,redis-ack1,pushgateway), workloads "
                + "(ingest,scrape,delta,locks,ingest-lease,lease-pairs), runs, run-seconds, warmup-seconds, writers, "
                + "lock-clients, scrapes, delta-reads, startups, jvm-options, redis-replica (true: the redis target with a replica too), "
                + "stored (10k,100k), auth (off,static,jwt), repeats, audit-log (true: the audit log at INFO), out"))
                .run();
    }

    private void run() throws Exception {
        List<String> targets = Arrays.asList(options.text("targets", "startup,memory,redis,pushgateway").split(","));
        log("settings: " + options + ", JVM options " + options.jvmOptions());
        if (targets.contains("startup")) {
            startup(auth.get(modes.get(0)));
        }
        // Interleaved: every mode once, then every mode again, so that a change of the machine's load spreads over
        // all of them rather than falling on one.
        for (String target : List.of("memory", "redis", "redis-ack1")) {
            if (!targets.contains(target)) {
                continue;
            }
            for (int repeat = 1; repeat <= repeats; repeat++) {
                for (Auth.Mode mode : modes) {
                    switch (target) {
                        case "memory" -> metricStore(column("memory", mode, repeat), List.of("store.backend=memory"),
                                List.of());
                        case "redis" -> redis(column("Redis", mode, repeat),
                                Boolean.parseBoolean(options.text("redis-replica", "false")), 0);
                        default -> redis(column(Report.REDIS_ACK1, mode, repeat), true, 1);
                    }
                }
            }
        }
        if (targets.contains("pushgateway")) {
            pushgateway();
        }
        String markdown = report.markdown(options.values(), options.jvmOptions());
        if (comparison != null) {
            markdown += "\n" + comparison.markdown();
        }
        Files.writeString(out.resolve("report.md"), markdown);
        System.out.println();
        System.out.println(markdown);
    }

    private Column column(String name, Auth.Mode mode, int repeat) {
        return new Column(name, auth.get(mode), repeat);
    }

    /** Whether the column's figures go to {@link #comparison}: a Metric Store's, when modes are compared. */
    private boolean compared(Column column) {
        return comparison != null && column.auth() != null;
    }

    private void startup(Auth authentication) throws Exception {
        Samples seconds = new Samples();
        Samples rss = new Samples();
        for (int i = 0; i < options.integer("startups", 5); i++) {
            try (Launched service = launchMetricStore(List.of("store.backend=memory"),
                    authentication.launch().properties())) {
                seconds.add(service.awaitHttpReady("/q/health/ready", 60));
                Thread.sleep(2000);
                rss.add(service.rssMiB());
            }
        }
        report.put(Report.STARTUP, "memory", Report.range(seconds, "s", 2));
        report.latency(Report.STARTUP, "memory", seconds);
        report.put(Report.IDLE_RSS, "memory", Report.range(rss, "MiB", 0));
        log("start-up to ready " + Report.range(seconds, "s", 2) + ", idle RSS " + Report.range(rss, "MiB", 0));
        if (hasPushgateway()) {
            Samples pushgateway = new Samples();
            for (int i = 0; i < options.integer("startups", 5); i++) {
                try (Launched gateway = Launched.pushgateway(options.text("pushgateway", ""), Options.freePort(),
                        out)) {
                    pushgateway.add(gateway.awaitHttpReady("/-/ready", 60));
                }
            }
            report.put(Report.STARTUP, "Pushgateway", Report.range(pushgateway, "s", 2));
            report.latency(Report.STARTUP, "Pushgateway", pushgateway);
        }
    }

    /**
     * The service on a Redis of its own; with {@code replicated} a second Redis follows it as its replica, and with
     * {@code minReplicasAck} above 0 the service waits (WAIT) for that many replicas after every write.
     */
    private void redis(Column column, boolean replicated, int minReplicasAck) throws Exception {
        String binary = options.text("redis-server", "redis-server");
        try (Launched primary = Launched.redis(binary, Options.freePort(), out);
                Launched replica = replicated ? Launched.redisReplica(binary, Options.freePort(), primary.port(), out)
                        : null) {
            primary.awaitRedisReady(30);
            List<String> properties = new ArrayList<>(List.of("store.backend=redis",
                    "quarkus.redis.hosts=redis://127.0.0.1:" + primary.port()));
            if (minReplicasAck > 0) {
                properties.add("store.redis.min-replicas-ack=" + minReplicasAck);
            }
            if (replica != null) {
                replica.awaitReplicaLinked(60);
                log(column.name() + ": Redis on port " + primary.port() + " with a replica on port " + replica.port()
                        + ", store.redis.min-replicas-ack=" + minReplicasAck);
            }
            metricStore(column, properties, replica == null ? List.of(primary) : List.of(primary, replica));
        }
    }

    /**
     * Every workload on the service; {@code redis} are the Redis servers behind it (none for memory). Compared under
     * several authentication modes, its figures go to {@link #comparison}, and the RSS is not measured (nor without
     * 100k series stored).
     */
    private void metricStore(Column column, List<String> properties, List<Launched> redis) throws Exception {
        Auth.Launch authentication = column.auth().launch();
        String name = column.name() + (comparison == null ? "" : ", auth " + column.auth().mode().label() + ", repeat "
                + column.repeat());
        if (comparison != null) {
            comparison.launch(column.name(), column.auth().mode(), column.repeat(), Options.loadAverage());
        }
        log(name + ": launching with " + authentication.properties() + ", load average " + Options.loadAverage());
        try (Launched service = launchMetricStore(properties, authentication.properties())) {
            service.awaitHttpReady("/q/health/ready", 60);
            workloads.writeCount();
            Target.MetricStore target = new Target.MetricStore(service.port(), authentication.token());
            List<String> sizes = Arrays.asList(options.text("stored", "10k,100k").split(","));
            int stored = 0;
            if (sizes.contains("10k")) {
                measureIngestAndScrape(column, name, service, redis, target, SMALL, stored);
                stored = SMALL;
            }
            if (sizes.contains("100k")) {
                measureIngestAndScrape(column, name, service, redis, target, LARGE, stored);
                stored = LARGE;
            }
            if (selected("delta")) {
                int among = Math.max(stored, SMALL);
                String size = among == SMALL ? "10k" : "100k";
                Samples delta = workloads.delta(target, among, options.integer("delta-reads", 400));
                if (comparison == null) {
                    report.put(Report.DELTA, column.name(), Report.percentiles(delta, 99, "ms", 2));
                } else {
                    comparison.add("delta of 10 among " + size, Comparison.Kind.LATENCY, "ms", 2, delta);
                }
                log(name + ": delta of 10 among " + size + " " + Report.percentiles(delta, 99, "ms", 2));
            }
            if (selected("locks")) {
                locks(column, name, service, redis, target);
            }
            if (selected("lease-pairs")) {
                leasePairs(column, name, service, redis, target);
            }
            Workloads.WriteCount writes = workloads.writeCount();
            if (redis.size() > 1 || writes.refused() > 0) {
                if (comparison == null) {
                    report.put(Report.REFUSED, column.name(), writes.toString());
                }
                log(name + ": write requests answered 503 and sent again " + writes);
            }
            if (comparison != null || !sizes.contains("100k")) {
                return; // the RSS rows are those of 100k series, and not what a comparison of modes is about
            }
            double rss = service.rssMiB();
            double afterGc = service.rssAfterFullGcMiB();
            report.put(Report.RSS, column.name(), String.format(Locale.ROOT, "%.0f MiB", rss));
            report.put(Report.RSS_AFTER_GC, column.name(), String.format(Locale.ROOT, "%.0f MiB", afterGc));
            log(name + String.format(Locale.ROOT, ": RSS with 100k series %.0f MiB, %.0f MiB after a full GC", rss,
                    afterGc) + (redis.isEmpty() ? ""
                    : String.format(Locale.ROOT, " (Redis server %.0f MiB)", redis.get(0).rssMiB())));
        }
    }

    private void locks(Column column, String name, Launched service, List<Launched> redis, Target.MetricStore target)
            throws Exception {
        List<Workloads.Run> locks = workloads.locks(target, service, redis);
        Samples pairs = new Samples();
        Samples latency = new Samples();
        Samples cpu = new Samples();
        for (Workloads.Run run : locks) {
            pairs.add(run.perSecond());
            latency.addAll(run.latencyMillis());
            cpu.add(run.cpuMicrosPerItem());
        }
        String redisCpu = backendCpu(locks, 0);
        if (comparison != null) {
            comparison.add("lock pairs/s", Comparison.Kind.THROUGHPUT, "pairs/s", 0, pairs);
            comparison.add("service CPU per lock pair", Comparison.Kind.CPU, "µs", 0, cpu);
            addBackendCpu("CPU per lock pair", locks, 0);
            comparison.add("lock pair latency", Comparison.Kind.LATENCY, "ms", 2, latency);
        } else {
            report.put(Report.LOCK_CPU, column.name(), Report.range(cpu, "µs", 0));
            if (!redisCpu.isEmpty()) {
                report.put(Report.REDIS_LOCK_CPU, column.name(), redisCpu);
            }
            report.put(Report.LOCKS, column.name(), Report.range(pairs, "pairs/s", 0));
            report.put(Report.LOCK_LATENCY, column.name(), Report.percentiles(latency, 99, "ms", 2));
        }
        log(name + ": locks " + Report.range(pairs, "pairs/s", 0) + ", "
                + Report.percentiles(latency, 99, "ms", 2) + ", server CPU per pair " + Report.range(cpu, "µs", 0)
                + (redisCpu.isEmpty() ? "" : ", Redis CPU per pair " + redisCpu));
    }

    /**
     * Lock pairs and lease pairs in alternating runs: pairs per second, latency of a pair, the service's and Redis'
     * CPU per pair.
     */
    private void leasePairs(Column column, String name, Launched service, List<Launched> redis,
            Target.MetricStore target) throws Exception {
        Workloads.Paired runs;
        try (RedisCpu cpu = new RedisCpu(redis)) {
            runs = workloads.locksAndLeases(target, service, cpu.servers());
        }
        String figure = "lock acquire+release · lease campaign+resign";
        side(column, figure + ", pairs/s", runs, Workloads.Run::perSecond, "pairs/s", 0);
        sideLatency(column, figure + ", latency of a pair, p50 / p99", runs);
        side(column, figure + ", service CPU per pair", runs, Workloads.Run::cpuMicrosPerItem, "µs", 0);
        side(column, figure + ", Redis CPU per pair", runs, redis.isEmpty() ? null
                : run -> run.backendCpuMicrosPerItem()[0], "µs", 0);
        logPairs(name + ": lock pairs · lease pairs", runs, "pairs/s", 0);
    }

    /**
     * Ingest without a lease and with every batch under one lease, held for the whole workload (campaigned once with
     * a TTL of an hour, resigned after), in alternating runs.
     */
    private void ingestUnderLease(Column column, String name, Launched service, List<Launched> redis,
            Target.MetricStore target, int stored, String size) throws Exception {
        Target.Lease lease = workloads.campaign(target, "bench-ingest", "1h", "bench-ingest-" + size);
        Workloads.Paired runs;
        try (RedisCpu cpu = new RedisCpu(redis)) {
            runs = workloads.ingestUnderLease(service, cpu.servers(), target, lease, stored);
        } finally {
            workloads.resign(target, lease);
        }
        String figure = "ingest at " + size + " stored, without · with a lease on every batch";
        side(column, figure + ", points/s", runs, Workloads.Run::perSecond, "points/s", 0);
        side(column, figure + ", service CPU per point", runs, Workloads.Run::cpuMicrosPerItem, "µs", 2);
        side(column, figure + ", Redis CPU per point", runs, redis.isEmpty() ? null
                : run -> run.backendCpuMicrosPerItem()[0], "µs", 2);
        logPairs(name + ": ingest at " + size + " stored without · with a lease (fence " + lease.fence() + ")", runs,
                "points/s", 0);
    }

    /**
     * A figure of both variants, one sample per run, and its change within each pair of runs; a dash without a
     * {@code value} (Redis CPU on memory), so that rows keep the order of the first column.
     */
    private void side(Column column, String figure, Workloads.Paired runs, ToDoubleFunction<Workloads.Run> value,
            String unit, int decimals) {
        if (value == null) {
            report.side(figure, column.name(), "—", "—", "—");
            return;
        }
        Samples first = new Samples();
        Samples second = new Samples();
        Samples change = new Samples();
        for (int i = 0; i < runs.first().size(); i++) {
            double a = value.applyAsDouble(runs.first().get(i));
            double b = value.applyAsDouble(runs.second().get(i));
            first.add(a);
            second.add(b);
            change.add((b - a) / a * 100);
        }
        report.side(figure, column.name(), Report.range(first, unit, decimals), Report.range(second, unit, decimals),
                Report.change(change));
    }

    /** Latencies of both variants over every request, and the change of the pooled p50. */
    private void sideLatency(Column column, String figure, Workloads.Paired runs) {
        Samples first = new Samples();
        Samples second = new Samples();
        runs.first().forEach(run -> first.addAll(run.latencyMillis()));
        runs.second().forEach(run -> second.addAll(run.latencyMillis()));
        Samples change = new Samples();
        change.add((second.median() - first.median()) / first.median() * 100);
        report.side(figure, column.name(), Report.percentiles(first, 99, "ms", 2),
                Report.percentiles(second, 99, "ms", 2), Report.change(change));
    }

    /** Each pair of runs as it ran: throughput and CPU per item of both, and the load average after the second. */
    private static void logPairs(String what, Workloads.Paired runs, String unit, int decimals) {
        for (int i = 0; i < runs.first().size(); i++) {
            Workloads.Run a = runs.first().get(i);
            Workloads.Run b = runs.second().get(i);
            log(String.format(Locale.ROOT, "%s, pair %d (%s): %,.0f · %,.0f %s, service CPU %.2f · %.2f µs%s, "
                    + "load average %s", what, i + 1, i % 2 == 0 ? "first ran first" : "second ran first",
                    a.perSecond(), b.perSecond(), unit, a.cpuMicrosPerItem(), b.cpuMicrosPerItem(),
                    a.backendCpuMicrosPerItem().length == 0 ? "" : String.format(Locale.ROOT,
                            ", Redis CPU %.2f · %.2f µs", a.backendCpuMicrosPerItem()[0],
                            b.backendCpuMicrosPerItem()[0]),
                    (i % 2 == 0 ? b : a).loadAverage()));
        }
    }

    /** The driver's connections to the Redis servers behind a service, which read Redis' own CPU count. */
    private static final class RedisCpu implements AutoCloseable {

        private final List<RedisWire> wires = new ArrayList<>();

        RedisCpu(List<Launched> redis) throws IOException {
            try {
                for (Launched server : redis) {
                    wires.add(new RedisWire(server.port()));
                }
            } catch (IOException e) {
                close();
                throw e;
            }
        }

        List<RedisWire> servers() {
            return wires;
        }

        @Override
        public void close() throws IOException {
            for (RedisWire wire : wires) {
                wire.close();
            }
        }
    }

    /** Each Redis server's CPU time per item as a figure of the comparison: "Redis primary CPU per …". */
    private void addBackendCpu(String figure, List<Workloads.Run> runs, int decimals) {
        for (int i = 0; i < runs.get(0).backendCpuMicrosPerItem().length; i++) {
            Samples cpu = new Samples();
            for (Workloads.Run run : runs) {
                cpu.add(run.backendCpuMicrosPerItem()[i]);
            }
            comparison.add((i == 0 ? "Redis primary " : "Redis replica ") + figure, Comparison.Kind.CPU, "µs",
                    decimals, cpu);
        }
    }

    /** The Redis servers' CPU time per item, "primary, replica …"; empty without Redis. */
    private static String backendCpu(List<Workloads.Run> runs, int decimals) {
        List<String> servers = new ArrayList<>();
        for (int i = 0; i < runs.get(0).backendCpuMicrosPerItem().length; i++) {
            Samples cpu = new Samples();
            for (Workloads.Run run : runs) {
                cpu.add(run.backendCpuMicrosPerItem()[i]);
            }
            servers.add((i == 0 ? "" : "replica ") + Report.range(cpu, "µs", decimals));
        }
        return String.join(", ", servers);
    }

    private void pushgateway() throws Exception {
        if (!hasPushgateway()) {
            log("no --pushgateway binary: side-by-side figures skipped");
            return;
        }
        try (Launched gateway = Launched.pushgateway(options.text("pushgateway", ""), Options.freePort(), out)) {
            gateway.awaitHttpReady("/-/ready", 60);
            Target.Pushgateway target = new Target.Pushgateway(gateway.port());
            Column column = new Column("Pushgateway", null, 1);
            measureIngestAndScrape(column, "Pushgateway", gateway, List.of(), target, SMALL, 0);
            measureIngestAndScrape(column, "Pushgateway", gateway, List.of(), target, LARGE, SMALL);
            double rss = gateway.rssMiB();
            report.put(Report.RSS, "Pushgateway", String.format(Locale.ROOT, "%.0f MiB", rss));
            log("Pushgateway: RSS with 100k series " + rss + " MiB");
        }
    }

    private void measureIngestAndScrape(Column column, String name, Launched server, List<Launched> backends,
            Target target, int stored, int alreadyStored) throws Exception {
        workloads.fill(target, alreadyStored, stored);
        String size = stored == SMALL ? "10k" : "100k";
        if (selected("ingest")) {
            ingest(column, name, server, backends, target, stored, size);
        }
        if (selected("ingest-lease") && target instanceof Target.MetricStore metricStore) {
            ingestUnderLease(column, name, server, backends, metricStore, stored, size);
        }
        if (selected("scrape")) {
            scrape(column, name, target, stored, size);
        }
    }

    private void ingest(Column column, String name, Launched server, List<Launched> backends, Target target,
            int stored, String size) throws Exception {
        Samples ingest = new Samples();
        Samples cpu = new Samples();
        List<Workloads.Run> runs = workloads.ingest(server, backends, target, stored);
        for (Workloads.Run run : runs) {
            ingest.add(run.perSecond());
            cpu.add(run.cpuMicrosPerItem());
        }
        String redisCpu = backendCpu(runs, 2);
        if (compared(column)) {
            comparison.add("ingest points/s, " + size + " stored", Comparison.Kind.THROUGHPUT, "points/s", 0, ingest);
            comparison.add("service CPU per point, " + size + " stored", Comparison.Kind.CPU, "µs", 2, cpu);
            addBackendCpu("CPU per point, " + size + " stored", runs, 2);
        } else {
            report.put(Report.ingest(size), column.name(), Report.range(ingest, "points/s", 0));
            report.throughput(Report.ingest(size), column.name(), ingest);
            report.put(Report.ingestCpu(size), column.name(), Report.range(cpu, "µs", 2));
            report.latency(Report.ingestCpu(size), column.name(), cpu);
            if (!redisCpu.isEmpty()) {
                report.put(Report.redisIngestCpu(size), column.name(), redisCpu);
            }
        }
        log(name + ": ingest at " + size + " stored " + Report.range(ingest, "points/s", 0)
                + ", server CPU per point " + Report.range(cpu, "µs", 2)
                + (redisCpu.isEmpty() ? "" : ", Redis CPU per point " + redisCpu));
    }

    private void scrape(Column column, String name, Target target, int stored, String size) throws Exception {
        awaitPage(target, stored);
        long[] bytes = new long[1];
        Samples scrape = workloads.scrape(target, options.integer("scrapes", 15), bytes);
        if (compared(column)) {
            comparison.add("scrape of " + size + " series", Comparison.Kind.LATENCY, "ms", 1, scrape);
        } else {
            report.put(Report.scrape(size), column.name(), Report.percentiles(scrape, 90, "ms", 1)
                    + String.format(Locale.ROOT, ", %.1f MB", bytes[0] / 1e6));
            report.latency(Report.scrape(size), column.name(), scrape);
        }
        log(name + ": scrape of " + size + " " + Report.percentiles(scrape, 90, "ms", 1) + ", " + bytes[0] + " bytes");
    }

    /** The follower cache behind {@code /metrics} refreshes every second: wait until it shows every series. */
    private static void awaitPage(Target target, long series) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        for (long seen = Workloads.seriesOnPage(target); seen != series; seen = Workloads.seriesOnPage(target)) {
            if (System.nanoTime() > deadline) {
                throw new IOException("/metrics shows " + seen + " series, expected " + series);
            }
            Thread.sleep(200);
        }
    }

    private Launched launchMetricStore(List<String> properties, List<String> authProperties) throws IOException {
        List<String> all = new ArrayList<>(properties);
        all.addAll(authProperties);
        all.add("quarkus.log.level=WARN");
        if (Boolean.parseBoolean(options.text("audit-log", "false"))) {
            // As in production: one line per lock acquire and release (auth/Audit), into the service's log file.
            all.add("quarkus.log.category.\"io.metricstore.audit\".level=INFO");
        }
        return Launched.metricStore(Path.of(options.text("jar", "target/quarkus-app/quarkus-run.jar")),
                Options.freePort(), Options.freePort(), options.jvmOptions(), all, out);
    }

    private boolean selected(String workload) {
        return Arrays.asList(options.text("workloads", "ingest,scrape,delta,locks").split(",")).contains(workload);
    }

    private boolean hasPushgateway() {
        return !options.text("pushgateway", "").isEmpty();
    }

    static void log(String message) {
        System.out.println("[load] " + message);
    }
}
