package io.metricstore.bench.load;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs the packaged Metric Store (memory and Redis backends, Redis optionally with a replica, which may have to
 * acknowledge every write) and Prometheus' Pushgateway on loopback, drives the same workloads against them over HTTP
 * and prints a Markdown report. Every figure is the median of several runs after a warm-up; see docs/benchmarks.md
 * for the method and src/bench/load.sh for the command.
 */
public final class LoadDriver {

    /**
     * What a pod runs: the ubi openjdk run-java defaults with the image's collector and heap free ratios
     * (src/main/docker/Dockerfile.jvm), sized as in the manifest's 768 MiB container (MaxRAM stands in for the
     * container limit, so the initial and maximum heap follow from it as they would there; JAVA_MAX_MEM_RATIO 70).
     */
    static final String IMAGE_JVM_OPTIONS = "-XX:MaxRAM=768m -XX:MaxRAMPercentage=70 -XX:+UseSerialGC "
            + "-XX:MinHeapFreeRatio=40 -XX:MaxHeapFreeRatio=70 -XX:GCTimeRatio=4 -XX:AdaptiveSizePolicyWeight=90 "
            + "-XX:+ExitOnOutOfMemoryError";

    private static final int SMALL = 10_000;
    private static final int LARGE = 100_000;

    private final Map<String, String> options;
    private final Workloads workloads;
    private final Report report = new Report();
    private final Path out;

    private LoadDriver(Map<String, String> options) throws IOException {
        this.options = options;
        this.out = Path.of(option("out", "target/bench"));
        Files.createDirectories(out);
        this.workloads = new Workloads(new Workloads.Settings(intOption("writers", 2), intOption("lock-clients", 4),
                intOption("runs", 5), doubleOption("run-seconds", 5), doubleOption("warmup-seconds", 5)));
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 == args.length) {
                System.err.println("usage: LoadDriver [--option value]…; options: jar, redis-server, pushgateway, "
                        + "targets (startup,memory,redis,redis-ack1,pushgateway), workloads (ingest,scrape,delta,locks), runs, run-seconds, warmup-seconds, writers, "
                        + "lock-clients, scrapes, delta-reads, startups, jvm-options, redis-replica (true: the redis target with a replica too), out");
                System.exit(2);
            }
            options.put(args[i].substring(2), args[++i]);
        }
        new LoadDriver(options).run();
    }

    private void run() throws Exception {
        List<String> targets = Arrays.asList(option("targets", "startup,memory,redis,pushgateway").split(","));
        log("settings: " + options + ", JVM options " + jvmOptions());
        if (targets.contains("startup")) {
            startup();
        }
        if (targets.contains("memory")) {
            metricStore("memory", List.of("store.backend=memory"), List.of());
        }
        if (targets.contains("redis")) {
            redis("Redis", Boolean.parseBoolean(option("redis-replica", "false")), 0);
        }
        if (targets.contains("redis-ack1")) {
            redis(Report.REDIS_ACK1, true, 1);
        }
        if (targets.contains("pushgateway")) {
            pushgateway();
        }
        String markdown = report.markdown(options, jvmOptions());
        Files.writeString(out.resolve("report.md"), markdown);
        System.out.println();
        System.out.println(markdown);
    }

    private void startup() throws Exception {
        Samples seconds = new Samples();
        Samples rss = new Samples();
        for (int i = 0; i < intOption("startups", 5); i++) {
            try (Launched service = launchMetricStore(List.of("store.backend=memory"))) {
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
            for (int i = 0; i < intOption("startups", 5); i++) {
                try (Launched gateway = Launched.pushgateway(option("pushgateway", ""), freePort(), out)) {
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
    private void redis(String column, boolean replicated, int minReplicasAck) throws Exception {
        String binary = option("redis-server", "redis-server");
        try (Launched primary = Launched.redis(binary, freePort(), out);
                Launched replica = replicated ? Launched.redisReplica(binary, freePort(), primary.port(), out)
                        : null) {
            primary.awaitRedisReady(30);
            List<String> properties = new ArrayList<>(List.of("store.backend=redis",
                    "quarkus.redis.hosts=redis://127.0.0.1:" + primary.port()));
            if (minReplicasAck > 0) {
                properties.add("store.redis.min-replicas-ack=" + minReplicasAck);
            }
            if (replica != null) {
                replica.awaitReplicaLinked(60);
                log(column + ": Redis on port " + primary.port() + " with a replica on port " + replica.port()
                        + ", store.redis.min-replicas-ack=" + minReplicasAck);
            }
            metricStore(column, properties, replica == null ? List.of(primary) : List.of(primary, replica));
        }
    }

    /** Every workload on the service; {@code redis} are the Redis servers behind it (none for memory). */
    private void metricStore(String column, List<String> properties, List<Launched> redis) throws Exception {
        try (Launched service = launchMetricStore(properties)) {
            service.awaitHttpReady("/q/health/ready", 60);
            workloads.writeCount();
            Target.MetricStore target = new Target.MetricStore(service.port());
            measureIngestAndScrape(column, service, redis, target, SMALL, 0);
            measureIngestAndScrape(column, service, redis, target, LARGE, SMALL);
            if (selected("delta")) {
                Samples delta = workloads.delta(target, LARGE, intOption("delta-reads", 400));
                report.put(Report.DELTA, column, Report.percentiles(delta, 99, "ms", 2));
                log(column + ": delta of 10 among 100k " + Report.percentiles(delta, 99, "ms", 2));
            }
            if (selected("locks")) {
                locks(column, service, redis);
            }
            Workloads.WriteCount writes = workloads.writeCount();
            if (redis.size() > 1 || writes.refused() > 0) {
                report.put(Report.REFUSED, column, writes.toString());
                log(column + ": write requests answered 503 and sent again " + writes);
            }
            double rss = service.rssMiB();
            double afterGc = service.rssAfterFullGcMiB();
            report.put(Report.RSS, column, String.format(Locale.ROOT, "%.0f MiB", rss));
            report.put(Report.RSS_AFTER_GC, column, String.format(Locale.ROOT, "%.0f MiB", afterGc));
            log(column + String.format(Locale.ROOT, ": RSS with 100k series %.0f MiB, %.0f MiB after a full GC", rss,
                    afterGc) + (redis.isEmpty() ? ""
                    : String.format(Locale.ROOT, " (Redis server %.0f MiB)", redis.get(0).rssMiB())));
        }
    }

    private void locks(String column, Launched service, List<Launched> redis) throws Exception {
        List<Workloads.Run> locks = workloads.locks(service, redis);
        Samples pairs = new Samples();
        Samples latency = new Samples();
        Samples cpu = new Samples();
        for (Workloads.Run run : locks) {
            pairs.add(run.perSecond());
            latency.addAll(run.latencyMillis());
            cpu.add(run.cpuMicrosPerItem());
        }
        report.put(Report.LOCK_CPU, column, Report.range(cpu, "µs", 0));
        String redisCpu = backendCpu(locks, 0);
        if (!redisCpu.isEmpty()) {
            report.put(Report.REDIS_LOCK_CPU, column, redisCpu);
        }
        report.put(Report.LOCKS, column, Report.range(pairs, "pairs/s", 0));
        report.put(Report.LOCK_LATENCY, column, Report.percentiles(latency, 99, "ms", 2));
        log(column + ": locks " + Report.range(pairs, "pairs/s", 0) + ", "
                + Report.percentiles(latency, 99, "ms", 2) + ", server CPU per pair " + Report.range(cpu, "µs", 0)
                + (redisCpu.isEmpty() ? "" : ", Redis CPU per pair " + redisCpu));
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
        try (Launched gateway = Launched.pushgateway(option("pushgateway", ""), freePort(), out)) {
            gateway.awaitHttpReady("/-/ready", 60);
            Target.Pushgateway target = new Target.Pushgateway(gateway.port());
            measureIngestAndScrape("Pushgateway", gateway, List.of(), target, SMALL, 0);
            measureIngestAndScrape("Pushgateway", gateway, List.of(), target, LARGE, SMALL);
            double rss = gateway.rssMiB();
            report.put(Report.RSS, "Pushgateway", String.format(Locale.ROOT, "%.0f MiB", rss));
            log("Pushgateway: RSS with 100k series " + rss + " MiB");
        }
    }

    private void measureIngestAndScrape(String column, Launched server, List<Launched> backends, Target target,
            int stored, int alreadyStored) throws Exception {
        workloads.fill(target, alreadyStored, stored);
        String size = stored == SMALL ? "10k" : "100k";
        if (selected("ingest")) {
            ingest(column, server, backends, target, stored, size);
        }
        if (selected("scrape")) {
            scrape(column, target, stored, size);
        }
    }

    private void ingest(String column, Launched server, List<Launched> backends, Target target, int stored,
            String size) throws Exception {
        Samples ingest = new Samples();
        Samples cpu = new Samples();
        List<Workloads.Run> runs = workloads.ingest(server, backends, target, stored);
        for (Workloads.Run run : runs) {
            ingest.add(run.perSecond());
            cpu.add(run.cpuMicrosPerItem());
        }
        report.put(Report.ingest(size), column, Report.range(ingest, "points/s", 0));
        report.throughput(Report.ingest(size), column, ingest);
        report.put(Report.ingestCpu(size), column, Report.range(cpu, "µs", 2));
        report.latency(Report.ingestCpu(size), column, cpu);
        String redisCpu = backendCpu(runs, 2);
        if (!redisCpu.isEmpty()) {
            report.put(Report.redisIngestCpu(size), column, redisCpu);
        }
        log(column + ": ingest at " + size + " stored " + Report.range(ingest, "points/s", 0)
                + ", server CPU per point " + Report.range(cpu, "µs", 2)
                + (redisCpu.isEmpty() ? "" : ", Redis CPU per point " + redisCpu));
    }

    private void scrape(String column, Target target, int stored, String size) throws Exception {
        awaitPage(target.port(), stored);
        long[] bytes = new long[1];
        Samples scrape = workloads.scrape(target.port(), intOption("scrapes", 15), bytes);
        report.put(Report.scrape(size), column, Report.percentiles(scrape, 90, "ms", 1)
                + String.format(Locale.ROOT, ", %.1f MB", bytes[0] / 1e6));
        report.latency(Report.scrape(size), column, scrape);
        log(column + ": scrape of " + size + " " + Report.percentiles(scrape, 90, "ms", 1) + ", " + bytes[0] + " bytes");
    }

    /** The follower cache behind {@code /metrics} refreshes every second: wait until it shows every series. */
    private static void awaitPage(int port, long series) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        for (long seen = Workloads.seriesOnPage(port); seen != series; seen = Workloads.seriesOnPage(port)) {
            if (System.nanoTime() > deadline) {
                throw new IOException("/metrics shows " + seen + " series, expected " + series);
            }
            Thread.sleep(200);
        }
    }

    private Launched launchMetricStore(List<String> properties) throws IOException {
        List<String> all = new ArrayList<>(properties);
        all.add("quarkus.log.level=WARN");
        return Launched.metricStore(Path.of(option("jar", "target/quarkus-app/quarkus-run.jar")), freePort(),
                jvmOptions(), all, out);
    }

    private List<String> jvmOptions() {
        return Arrays.asList(option("jvm-options", IMAGE_JVM_OPTIONS).trim().split("\\s+"));
    }

    private boolean selected(String workload) {
        return Arrays.asList(option("workloads", "ingest,scrape,delta,locks").split(",")).contains(workload);
    }

    private boolean hasPushgateway() {
        return !option("pushgateway", "").isEmpty();
    }

    private String option(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    private int intOption(String name, int fallback) {
        return Integer.parseInt(option(name, String.valueOf(fallback)));
    }

    private double doubleOption(String name, double fallback) {
        return Double.parseDouble(option(name, String.valueOf(fallback)));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static void log(String message) {
        System.out.println("[load] " + message);
    }
}
