package io.metricstore.bench.load;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * How fast and how cheaply replicas follow each other's writes (issue 14, watch), for one or more packaged builds of
 * the service side by side in one run ({@code --jars before=…,after=…}, measured in that order, scenario by
 * scenario). Scenarios ({@code --scenarios}):
 * <ul>
 *   <li>{@code propagation}: two replicas on one Redis; one point written on A, then B's {@code /metrics} read until
 *       it shows the point; the time from A's 200 to that read's answer, per write;</li>
 *   <li>{@code idle}: three idle replicas on one Redis; the commands Redis executes over a window ({@code INFO
 *       commandstats}) and who sent them ({@code MONITOR}: each script told by its SHA-1, computed from the jar's own
 *       scripts), first with nobody probing the replicas, then with probes as the kubelet sends them;</li>
 *   <li>{@code fanout}: many idle long-polls on one replica (memory backend, optionally Redis), its RSS and threads
 *       before and while they wait, and how long after one write's 200 each waiter has its answer.</li>
 * </ul>
 * Launches the service as {@link LoadDriver} does: the pod's JVM options, authentication off, logging at WARN.
 */
public final class WatchDriver {

    private static final Pattern CURSOR = Pattern.compile("\"cursor\":\"([^\"]+)\"");
    private static final Pattern WAITERS = Pattern.compile("(?m)^store_changes_waiters(?:\\{[^}]*})? (\\S+)$");
    private static final String SERIES = "bench_watch{job=\"bench\"}";
    /** The preludes a script may carry, in the order RedisScripts puts them in front of it. */
    private static final List<String> PRELUDES = List.of("origin", "state", "feed", "layout");
    /** What sends each script at idle, as far as the service's code tells. */
    private static final Map<String, String> SENT_BY = Map.of(
            "page", "/metrics copy: feed read (catch-up)",
            "states", "/metrics copy: series read (catch-up with changes)",
            "families", "/metrics copy: families read (catch-up)",
            "cursor", "watch: cursor read (subscription check, or polling)",
            "acquire", "GC lease attempt (store.gc.interval)",
            "due", "GC run: due series and locks",
            "gc", "GC run: removal",
            "probe", "server check (readiness, and before lock calls when older than 5 s)",
            "subscribe", "watch: subscription",
            "ping", "connection check");

    private final Options options;
    private final Map<String, Path> jars = new LinkedHashMap<>();
    private final Path out;
    private final StringBuilder report = new StringBuilder();

    private WatchDriver(Options options) throws IOException {
        this.options = options;
        for (String jar : options.text("jars", "after=target/quarkus-app/quarkus-run.jar").split(",")) {
            String[] parts = jar.split("=", 2);
            jars.put(parts[0], Path.of(parts[1]));
        }
        this.out = Path.of(options.text("out", "target/bench-watch"));
        Files.createDirectories(out);
    }

    public static void main(String[] args) throws Exception {
        new WatchDriver(Options.parse(args, "usage: WatchDriver [--option value]…; options: jars (label=path,…), "
                + "redis-server, scenarios (propagation,idle,fanout), writes, warmup-writes, pause-ms, poll-ms, "
                + "idle-replicas, idle-settle-seconds, idle-seconds, idle-windows (quiet,probed), waiters, "
                + "fanout-rounds, fanout-backends (memory,redis), jvm-options, out")).run();
    }

    private void run() throws Exception {
        List<String> scenarios = Arrays.asList(options.text("scenarios", "propagation,idle,fanout").split(","));
        log("settings: " + options + ", JVM options " + options.jvmOptions());
        report.append("Run of ").append(Instant.now()).append(", ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores, Java ").append(System.getProperty("java.version")).append("; options ")
                .append(options).append("; service JVM options `").append(String.join(" ", options.jvmOptions()))
                .append("`\n");
        if (scenarios.contains("propagation")) {
            propagation();
        }
        if (scenarios.contains("idle")) {
            idle();
        }
        if (scenarios.contains("fanout")) {
            for (String backend : options.text("fanout-backends", "memory").split(",")) {
                fanout(backend);
            }
        }
        Files.writeString(out.resolve("report.md"), report);
        System.out.println();
        System.out.println(report);
    }

    // ---- propagation

    private void propagation() throws Exception {
        Table table = new Table("Propagation: a write's 200 on replica A to the point on replica B's `/metrics`");
        int writes = options.integer("writes", 200);
        int warmup = options.integer("warmup-writes", 20);
        long pauseMillis = options.integer("pause-ms", 1000);
        long pollNanos = (long) (options.decimal("poll-ms", 2) * 1e6);
        for (Map.Entry<String, Path> jar : jars.entrySet()) {
            String label = jar.getKey();
            table.put("machine load average at start", label, Options.loadAverage());
            try (Launched redis = Launched.redis(redisBinary(), Options.freePort(), out)) {
                redis.awaitRedisReady(30);
                try (Launched a = launch(jar.getValue(), redisProperties(redis));
                        Launched b = launch(jar.getValue(), redisProperties(redis))) {
                    a.awaitHttpReady("/q/health/ready", 60);
                    b.awaitHttpReady("/q/health/ready", 60);
                    Samples millis = new Samples();
                    int missed = 0;
                    Random pauses = new Random(14);
                    try (HttpConnection writer = new HttpConnection(a.port());
                            HttpConnection reader = new HttpConnection(b.port())) {
                        for (int i = 0; i < warmup + writes; i++) {
                            // A random pause spreads the writes over the follower's timers (1 s before the watch) rather
                            // than starting each one right after the previous became visible.
                            Thread.sleep(pauses.nextInt((int) Math.max(1, pauseMillis)));
                            long value = 1_000_000L * (i + 1);
                            write(writer, value);
                            long written = System.nanoTime();
                            long deadline = written + TimeUnit.SECONDS.toNanos(10);
                            boolean seen = false;
                            long now = written;
                            while (now < deadline) {
                                seen = shows(reader.get("/metrics").text(), value);
                                now = System.nanoTime();
                                if (seen) {
                                    break;
                                }
                                LockSupport.parkNanos(pollNanos);
                            }
                            if (i >= warmup) {
                                if (seen) {
                                    millis.add((now - written) / 1e6);
                                } else {
                                    missed++;
                                }
                            }
                        }
                    }
                    table.put("writes measured (after " + warmup + " not measured)", label,
                            String.format(Locale.ROOT, "%d", writes));
                    table.put("p50 / p90 / p99", label, String.format(Locale.ROOT, "%.1f / %.1f / %.1f ms",
                            millis.median(), millis.percentile(90), millis.percentile(99)));
                    table.put("min / max", label,
                            String.format(Locale.ROOT, "%.1f / %.1f ms", millis.min(), millis.max()));
                    table.put("not seen within 10 s", label, String.valueOf(missed));
                    log(label + ": propagation p50 / p90 / p99 " + table.get("p50 / p90 / p99", label) + ", max "
                            + String.format(Locale.ROOT, "%.1f", millis.max()) + " ms, missed " + missed);
                }
            }
        }
        report.append('\n').append(table.markdown())
                .append(String.format(Locale.ROOT, "%nBefore each write a random pause of 0–%d ms; B's `/metrics` "
                        + "is read every %.1f ms (plus the read itself) until it shows the value, so a figure is the "
                        + "time to the answer of the first read that showed it.%n", pauseMillis, pollNanos / 1e6));
    }

    /** One point on {@code bench_watch} with {@code value}, written by the leader; throws unless it was applied. */
    private static String write(HttpConnection connection, long value) throws IOException {
        String body = "{\"role\":\"leader\",\"source\":\"leader_scrape\",\"points\":[{\"name\":\"bench_watch\","
                + "\"labels\":{\"job\":\"bench\"},\"value\":" + value + ",\"updatedAt\":\"" + Instant.now() + "\"}]}";
        HttpConnection.Response answer = connection.send("POST", "/api/v1/points", "application/json",
                body.getBytes(StandardCharsets.UTF_8));
        if (answer.status() != 200 || !answer.text().contains("\"applied\":1")) {
            throw new IOException("write not applied: " + answer.status() + " " + answer.text());
        }
        return answer.text();
    }

    /** Whether a {@code /metrics} page shows {@link #SERIES} with {@code value}. */
    private static boolean shows(String page, long value) {
        int at = page.startsWith(SERIES + " ") ? -1 : page.indexOf("\n" + SERIES + " ");
        if (at < 0 && !page.startsWith(SERIES + " ")) {
            return false;
        }
        int start = at + SERIES.length() + 2;
        int end = start;
        while (end < page.length() && page.charAt(end) != ' ' && page.charAt(end) != '\n') {
            end++;
        }
        return Double.parseDouble(page.substring(start, end)) == value;
    }

    // ---- idle

    private void idle() throws Exception {
        int replicas = options.integer("idle-replicas", 3);
        double seconds = options.decimal("idle-seconds", 60);
        List<String> windows = Arrays.asList(options.text("idle-windows", "quiet,probed").split(","));
        Table table = new Table(String.format(Locale.ROOT, "Idle: Redis commands per second from %d idle replicas "
                + "(one Redis, windows of %.0f s)", replicas, seconds));
        Table byCommand = new Table("Idle: commands Redis executed per second, by command (`INFO commandstats`, "
                + "also those run inside scripts; the driver's own INFO left out)");
        for (Map.Entry<String, Path> jar : jars.entrySet()) {
            String label = jar.getKey();
            Map<String, String> scripts = scriptNames(jar.getValue());
            table.put("machine load average at start", label, Options.loadAverage());
            try (Launched redis = Launched.redis(redisBinary(), Options.freePort(), out)) {
                redis.awaitRedisReady(30);
                List<Launched> services = new ArrayList<>();
                try {
                    for (int i = 0; i < replicas; i++) {
                        services.add(launch(jar.getValue(), redisProperties(redis)));
                    }
                    for (Launched service : services) {
                        service.awaitHttpReady("/q/health/ready", 60);
                    }
                    Thread.sleep((long) (options.decimal("idle-settle-seconds", 10) * 1000));
                    for (String window : windows) {
                        boolean probed = window.equals("probed");
                        String prefix = probed ? "probed like the kubelet: " : "nobody probing: ";
                        Window measured = idleWindow(redis, services, seconds, probed, scripts);
                        log(label + ", " + window + ": " + measured);
                        table.put(prefix + "all commands executed (commandstats)", label,
                                perSecond(measured.executed(), seconds));
                        table.put(prefix + "commands sent by the replicas (round trips, MONITOR)", label,
                                perSecond(measured.sent().values().stream().mapToLong(Long::longValue).sum(), seconds));
                        measured.sent().forEach((what, count) -> table.put(prefix + "– " + what, label,
                                perSecond(count, seconds)));
                        table.put(prefix + "service CPU, " + replicas + " replicas together", label, String.format(Locale.ROOT,
                                "%.2f ms/s", measured.serviceCpuSeconds() * 1000 / seconds));
                        table.put(prefix + "Redis CPU", label, String.format(Locale.ROOT, "%.3f ms/s",
                                measured.redisCpuSeconds() * 1000 / seconds));
                        measured.byCommand().forEach((command, count) -> byCommand.put(
                                (probed ? "probed: " : "quiet: ") + command, label, perSecond(count, seconds)));
                    }
                } finally {
                    for (Launched service : services) {
                        service.close();
                    }
                }
            }
        }
        report.append('\n').append(table.markdown()).append("\nA script is named by its SHA-1 (computed from the "
                + "jar's scripts and the preludes it may carry); \"sent by\" is what calls it in the service's code. "
                + "Probed: `/q/health/ready` every 5 s and `/q/health/live` every 10 s on each replica, as "
                + "`k8s/base/deployment.yaml` asks of the kubelet.\n\n").append(byCommand.markdown());
    }

    /** What one idle window measured. */
    private record Window(long executed, Map<String, Long> sent, Map<String, Long> byCommand,
                          double serviceCpuSeconds, double redisCpuSeconds) {
        @Override
        public String toString() {
            return executed + " commands executed, sent " + sent + ", by command " + byCommand;
        }
    }

    private Window idleWindow(Launched redis, List<Launched> services, double seconds, boolean probed,
            Map<String, String> scripts) throws Exception {
        Map<String, AtomicLong> sent = new ConcurrentHashMap<>();
        ScheduledExecutorService probes = Executors.newScheduledThreadPool(1);
        try (RedisWire monitor = new RedisWire(redis.port()); RedisWire info = new RedisWire(redis.port())) {
            String driver = info.address();
            monitor.monitor(command -> {
                if (!command.client().equals("lua") && !command.client().equals(driver)) {
                    sent.computeIfAbsent(describe(command, scripts), what -> new AtomicLong()).incrementAndGet();
                }
            });
            if (probed) {
                for (int i = 0; i < services.size(); i++) {
                    Launched service = services.get(i);
                    long offset = 1000L * i;
                    probes.scheduleAtFixedRate(() -> probe(service, "/q/health/ready"), offset, 5000,
                            TimeUnit.MILLISECONDS);
                    probes.scheduleAtFixedRate(() -> probe(service, "/q/health/live"), offset + 500, 10_000,
                            TimeUnit.MILLISECONDS);
                }
            }
            double serviceCpu = 0;
            for (Launched service : services) {
                serviceCpu -= service.cpuSeconds();
            }
            double redisCpu = -redis.cpuSeconds();
            Map<String, Long> before = info.commandCalls();
            Thread.sleep((long) (seconds * 1000));
            Map<String, Long> after = info.commandCalls();
            redisCpu += redis.cpuSeconds();
            for (Launched service : services) {
                serviceCpu += service.cpuSeconds();
            }
            probes.shutdownNow();
            Map<String, Long> byCommand = new TreeMap<>();
            long executed = 0;
            for (Map.Entry<String, Long> command : after.entrySet()) {
                long count = command.getValue() - before.getOrDefault(command.getKey(), 0L);
                if (command.getKey().equals("info")) {
                    count--; // the driver's first INFO counts in the second
                }
                if (count > 0) {
                    byCommand.put(command.getKey(), count);
                    executed += count;
                }
            }
            Map<String, Long> counted = new TreeMap<>();
            sent.forEach((what, count) -> counted.put(what, count.get()));
            return new Window(executed, counted, byCommand, serviceCpu, redisCpu);
        } finally {
            probes.shutdownNow();
        }
    }

    private static void probe(Launched service, String path) {
        try {
            service.probe(path);
        } catch (IOException e) {
            log("probe " + path + " failed: " + e.getMessage());
        }
    }

    /** A command a replica sent: its script and what sends it, or the command itself. */
    private static String describe(RedisWire.Monitored command, Map<String, String> scripts) {
        String name = command.words().get(0);
        if ((name.equals("evalsha") || name.equals("eval")) && command.words().size() > 1) {
            // MONITOR shows a script sent whole byte by byte (non-ASCII bytes escaped): its characters are those bytes.
            String sha = name.equals("evalsha") ? command.words().get(1)
                    : sha1(command.words().get(1).getBytes(StandardCharsets.ISO_8859_1));
            String script = scripts.getOrDefault(sha, "script " + sha.substring(0, Math.min(8, sha.length())));
            return name.toUpperCase(Locale.ROOT) + " " + script + ".lua ("
                    + SENT_BY.getOrDefault(script, "?") + ")";
        }
        return name.toUpperCase(Locale.ROOT) + (SENT_BY.containsKey(name) ? " (" + SENT_BY.get(name) + ")" : "");
    }

    /**
     * The SHA-1 of every script the jar can send, to its name: each {@code io/metricstore/store/redis/*.lua} with
     * every ordered choice of the preludes in front of it (which preludes a script takes is the service's business).
     */
    private static Map<String, String> scriptNames(Path runJar) throws IOException {
        Map<String, String> sources = new TreeMap<>();
        try (DirectoryStream<Path> apps = Files.newDirectoryStream(runJar.toAbsolutePath().getParent().resolve("app"),
                "*.jar")) {
            for (Path app : apps) {
                try (ZipFile zip = new ZipFile(app.toFile())) {
                    for (ZipEntry entry : zip.stream().toList()) {
                        String name = entry.getName();
                        if (name.startsWith("io/metricstore/store/redis/") && name.endsWith(".lua")) {
                            try (InputStream in = zip.getInputStream(entry)) {
                                sources.put(name.substring(27, name.length() - 4),
                                        new String(in.readAllBytes(), StandardCharsets.UTF_8));
                            }
                        }
                    }
                }
            }
        }
        Map<String, String> names = new LinkedHashMap<>();
        for (Map.Entry<String, String> script : sources.entrySet()) {
            for (int mask = 0; mask < 1 << PRELUDES.size(); mask++) {
                StringBuilder source = new StringBuilder();
                for (int p = 0; p < PRELUDES.size(); p++) {
                    if ((mask & 1 << p) != 0 && sources.containsKey(PRELUDES.get(p))) {
                        source.append(sources.get(PRELUDES.get(p)));
                    }
                }
                names.putIfAbsent(sha1(source.append(script.getValue()).toString()), script.getKey());
            }
        }
        return names;
    }

    private static String sha1(String text) {
        return sha1(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String sha1(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- fan-out

    private void fanout(String backend) throws Exception {
        int count = options.integer("waiters", 1000);
        int rounds = options.integer("fanout-rounds", 3);
        Table table = new Table(String.format(Locale.ROOT, "Fan-out: %,d idle long-polls (`wait=30s`) on one "
                + "replica, %s backend, %d rounds", count, backend, rounds));
        for (Map.Entry<String, Path> jar : jars.entrySet()) {
            String label = jar.getKey();
            table.put("machine load average at start", label, Options.loadAverage());
            try (Launched redis = backend.equals("redis")
                    ? Launched.redis(redisBinary(), Options.freePort(), out) : null) {
                List<String> properties;
                if (redis != null) {
                    redis.awaitRedisReady(30);
                    properties = redisProperties(redis);
                } else {
                    properties = List.of("store.backend=memory");
                }
                try (Launched service = launch(jar.getValue(), properties)) {
                    service.awaitHttpReady("/q/health/ready", 60);
                    try (HttpConnection connection = new HttpConnection(service.port())) {
                        fanoutOn(service, connection, label, backend, table, count, rounds);
                    }
                }
            }
        }
        report.append('\n').append(table.markdown());
    }

    /** Rounds of {@code count} long-polls on {@code service}, each woken by one write on {@code connection}. */
    private void fanoutOn(Launched service, HttpConnection connection, String label, String backend,
            Table table, int count, int rounds) throws Exception {
        String cursor = cursorOf(write(connection, 1));
        // A build without long-polls answers at once (it ignores wait or refuses it).
        long start = System.nanoTime();
        HttpConnection.Response probe = connection.get("/api/v1/changes?since=" + cursor + "&wait=2s");
        double probeSeconds = (System.nanoTime() - start) / 1e9;
        if (probeSeconds < 1.5) {
            String none = String.format(Locale.ROOT, "no long-poll: `wait=2s` answered %d after %.0f ms",
                    probe.status(), probeSeconds * 1000);
            table.put("waiters answered", label, none);
            log(label + ", " + backend + ": " + none);
            return;
        }
        Samples wake = new Samples();
        Samples writeMillis = new Samples();
        int wrong = 0;
        int unanswered = 0;
        String[] warm = warmUp(service, connection, cursor, count).split("\n", 2);
        cursor = warm[0];
        table.put("first burst after start (not measured)", label, warm[1]);
        log(label + ", " + backend + ": first burst " + warm[1]);
        for (int round = 1; round <= rounds; round++) {
            Thread.sleep(2000);
            double rssBefore = service.rssMiB();
            int threadsBefore = service.threads();
            try (LongPolls polls = new LongPolls(service.port(),
                    "/api/v1/changes?since=" + cursor + "&wait=30s", count)) {
                awaitWaiters(service, count);
                Thread.sleep(1000);
                if (polls.answered() > 0) {
                    throw new IOException(polls.answered() + " long-polls answered before the write");
                }
                double rssWaiting = service.rssMiB();
                int threadsWaiting = service.threads();
                long sent = System.nanoTime();
                String answer = write(connection, 1 + round);
                long written = System.nanoTime();
                cursor = cursorOf(answer);
                writeMillis.add((written - sent) / 1e6);
                List<LongPolls.Answer> answers = polls.await(20_000);
                unanswered += count - answers.size();
                for (LongPolls.Answer answered : answers) {
                    if (answered.status() != 200 || !answered.body().contains("\"events\":[{")) {
                        wrong++;
                    } else {
                        wake.add((answered.receivedNanos() - written) / 1e6);
                    }
                }
                if (round == 1) {
                    table.put("service RSS before / while waiting (round 1)", label, String.format(
                            Locale.ROOT, "%.0f / %.0f MiB", rssBefore, rssWaiting));
                    table.put("service threads before / while waiting (round 1)", label,
                            threadsBefore + " / " + threadsWaiting);
                }
                log(String.format(Locale.ROOT, "%s, %s, round %d: RSS %.0f -> %.0f MiB, threads %d -> %d, "
                        + "answered %d", label, backend, round, rssBefore, rssWaiting, threadsBefore,
                        threadsWaiting, answers.size()));
            }
        }
        table.put("waiters answered with the event", label, String.format(Locale.ROOT,
                "%,d of %,d (%d other answers, %d none within 20 s)", wake.size(), count * rounds, wrong,
                unanswered));
        table.put("wake-up after the write's 200, p50 / p99 / max", label, String.format(Locale.ROOT,
                "%.1f / %.1f / %.1f ms", wake.median(), wake.percentile(99), wake.max()));
        table.put("wake-up, min (negative: answered before the writer had its 200)", label,
                String.format(Locale.ROOT, "%.1f ms", wake.min()));
        table.put("the write's own round trip, median", label,
                String.format(Locale.ROOT, "%.1f ms", writeMillis.median()));
        log(label + ", " + backend + ": wake-up " + table.get("wake-up after the write's 200, p50 / p99 / max",
                label));
    }

    /** Waits until the replica counts {@code count} waiters ({@code store_changes_waiters} in its own telemetry). */
    private static void awaitWaiters(Launched service, int count) throws IOException, InterruptedException {
        double seen = waiters(service, count, 20);
        if (seen < count) {
            throw new IOException("the replica counts " + seen + " waiters, expected " + count);
        }
    }

    /** The waiters the replica counts once it counts {@code count}, or after {@code seconds}. */
    private static double waiters(Launched service, int count, long seconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        double seen = -1;
        while (System.nanoTime() < deadline) {
            try (HttpConnection management = new HttpConnection(service.probePort())) {
                Matcher waiting = WAITERS.matcher(management.get("/q/metrics").text());
                seen = waiting.find() ? Double.parseDouble(waiting.group(1)) : -1;
            }
            if (seen >= count) {
                break;
            }
            Thread.sleep(100);
        }
        return seen;
    }

    /**
     * The first burst of long-polls after start, not measured: how many the replica counted as waiting, and how they
     * were answered once a write woke them.
     */
    private String warmUp(Launched service, HttpConnection connection, String cursor, int count) throws Exception {
        Thread.sleep(2000);
        double rssBefore = service.rssMiB();
        int threadsBefore = service.threads();
        try (LongPolls polls = new LongPolls(service.port(), "/api/v1/changes?since=" + cursor + "&wait=30s", count)) {
            double seen = waiters(service, count, 10);
            Thread.sleep(1000);
            int early = polls.answered();
            double rssWaiting = service.rssMiB();
            int threadsWaiting = service.threads();
            String written = cursorOf(write(connection, 1_000_000));
            Map<String, Integer> statuses = new TreeMap<>();
            List<LongPolls.Answer> answers = polls.await(20_000);
            for (LongPolls.Answer answer : answers) {
                String kind = answer.status() == 200 && answer.body().contains("\"events\":[{") ? "200 with the event"
                        : String.valueOf(answer.status());
                statuses.merge(kind, 1, Integer::sum);
            }
            if (answers.size() < count) {
                statuses.put("no answer within 20 s", count - answers.size());
            }
            String text = String.format(Locale.ROOT, "%.0f of %,d counted as waiting, %d answered before the write; "
                    + "answers %s; RSS %.0f → %.0f MiB, threads %d → %d", seen, count, early, statuses, rssBefore,
                    rssWaiting, threadsBefore, threadsWaiting);
            return written + "\n" + text;
        }
    }

    private static String cursorOf(String json) throws IOException {
        Matcher matcher = CURSOR.matcher(json);
        if (!matcher.find()) {
            throw new IOException("no cursor in " + json);
        }
        return matcher.group(1);
    }

    // ---- shared

    private Launched launch(Path jar, List<String> properties) throws IOException {
        List<String> all = new ArrayList<>(properties);
        all.add("store.auth.enabled=false");
        all.add("quarkus.log.level=WARN");
        return Launched.metricStore(jar, Options.freePort(), Options.freePort(), options.jvmOptions(), all, out);
    }

    private static List<String> redisProperties(Launched redis) {
        return List.of("store.backend=redis", "quarkus.redis.hosts=redis://127.0.0.1:" + redis.port());
    }

    private String redisBinary() {
        return options.text("redis-server", "redis-server");
    }

    private static String perSecond(long count, double seconds) {
        return String.format(Locale.ROOT, "%.2f /s (%d)", count / seconds, count);
    }

    /** Rows of figures, one column per build, in the order the rows were first put. */
    private final class Table {
        private final String title;
        private final Map<String, Map<String, String>> rows = new LinkedHashMap<>();

        Table(String title) {
            this.title = title;
        }

        void put(String row, String column, String text) {
            rows.computeIfAbsent(row, r -> new LinkedHashMap<>()).put(column, text);
        }

        String get(String row, String column) {
            return rows.getOrDefault(row, Map.of()).getOrDefault(column, "—");
        }

        String markdown() {
            StringBuilder md = new StringBuilder("**").append(title).append("**\n\n| figure | ")
                    .append(String.join(" | ", jars.keySet())).append(" |\n|---|")
                    .append("---|".repeat(jars.size())).append('\n');
            rows.forEach((row, values) -> {
                md.append("| ").append(row);
                for (String column : jars.keySet()) {
                    md.append(" | ").append(values.getOrDefault(column, "—"));
                }
                md.append(" |\n");
            });
            return md.toString();
        }
    }

    private static void log(String message) {
        System.out.println("[watch] " + message);
    }
}
