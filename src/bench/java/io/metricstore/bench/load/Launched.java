package io.metricstore.bench.load;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A server process the driver started on loopback: the packaged Metric Store, a Redis server or a Pushgateway.
 * Output goes to a log file next to the report, so a failed run can be read afterwards. The Metric Store answers its
 * probes on a management port of their own; the others on the port they serve.
 */
final class Launched implements AutoCloseable, Workloads.Server {

    private final String name;
    private final Process process;
    private final int port;
    /** Where {@link #awaitHttpReady} asks: the management port of the Metric Store, else {@link #port}. */
    private final int probePort;
    private final long startedNanos;
    private final Path log;
    /** A directory of the process' own, deleted when it is closed; {@code null} when it has none. */
    private final Path scratch;

    private Launched(String name, List<String> command, int port, Path logDir) throws IOException {
        this(name, command, port, port, logDir, null);
    }

    private Launched(String name, List<String> command, int port, int probePort, Path logDir, Path scratch)
            throws IOException {
        this.name = name;
        this.port = port;
        this.probePort = probePort;
        this.scratch = scratch;
        this.log = logDir.resolve(name + "-" + port + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        this.startedNanos = System.nanoTime();
        this.process = builder.start();
    }

    /**
     * The packaged service, its API on {@code port} and its probes on {@code managementPort}; {@code properties} are
     * passed as {@code -Dkey=value}.
     */
    static Launched metricStore(Path jar, int port, int managementPort, List<String> jvmOptions,
            List<String> properties, Path logDir) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-Dquarkus.http.port=" + port);
        command.add("-Dquarkus.http.host=127.0.0.1");
        command.add("-Dquarkus.management.port=" + managementPort);
        command.add("-Dquarkus.management.host=127.0.0.1");
        for (String property : properties) {
            command.add("-D" + property);
        }
        command.add("-jar");
        command.add(jar.toString());
        return new Launched("metric-store", command, port, managementPort, logDir, null);
    }

    /**
     * Redis without persistence: the figures are the store's, not the disk's. Its directory is a temporary one of its
     * own, where only a replica's full synchronisation could write (Redis 6.2 syncs through a snapshot on disk).
     */
    static Launched redis(String binary, int port, Path logDir) throws IOException {
        return redis("redis", binary, port, List.of(), logDir);
    }

    /** A replica of the Redis on {@code primaryPort}, launched as that one is, which loads its data and follows it. */
    static Launched redisReplica(String binary, int port, int primaryPort, Path logDir) throws IOException {
        return redis("redis-replica", binary, port, List.of("--replicaof", "127.0.0.1", String.valueOf(primaryPort)),
                logDir);
    }

    private static Launched redis(String name, String binary, int port, List<String> more, Path logDir)
            throws IOException {
        Path dir = Files.createTempDirectory("metric-store-bench-redis-");
        List<String> command = new ArrayList<>(List.of(binary, "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString()));
        command.addAll(more);
        return new Launched(name, command, port, port, logDir, dir);
    }

    /**
     * The Pushgateway keeping its metrics in memory only, like the memory backend. Debian's build persists to a
     * shared file by default, which a new instance would load: the empty file name turns that off.
     */
    static Launched pushgateway(String binary, int port, Path logDir) throws IOException {
        return new Launched("pushgateway", List.of(binary, "--web.listen-address=127.0.0.1:" + port,
                "--persistence.file="), port, logDir);
    }

    int port() {
        return port;
    }

    /**
     * Polls {@code path} on the probe port (the Metric Store's management port) until it answers 200; returns the
     * seconds since the process was started.
     */
    double awaitHttpReady(String path, long timeoutSeconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (System.nanoTime() < deadline) {
            requireAlive();
            try (HttpConnection connection = new HttpConnection(probePort)) {
                if (connection.get(path).status() == 200) {
                    return (System.nanoTime() - startedNanos) / 1e9;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(5);
        }
        throw new IOException(name + " not ready after " + timeoutSeconds + " s; see " + log);
    }

    void awaitRedisReady(long timeoutSeconds) throws IOException, InterruptedException {
        awaitRedis("PING", "PONG", timeoutSeconds);
    }

    /** Waits until this replica has loaded its primary's data and follows its stream ({@code master_link_status}). */
    void awaitReplicaLinked(long timeoutSeconds) throws IOException, InterruptedException {
        awaitRedis("INFO replication", "master_link_status:up", timeoutSeconds);
    }

    /** Sends an inline command until its reply (a status or bulk string) contains {@code expected}. */
    private void awaitRedis(String command, String expected, long timeoutSeconds)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (System.nanoTime() < deadline) {
            requireAlive();
            try (Socket socket = new Socket("127.0.0.1", port)) {
                OutputStream out = socket.getOutputStream();
                out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = new BufferedInputStream(socket.getInputStream());
                String first = readLine(in);
                String reply = first.startsWith("$")
                        ? new String(in.readNBytes(Integer.parseInt(first.substring(1))), StandardCharsets.US_ASCII)
                        : first;
                if (reply.contains(expected)) {
                    return;
                }
            } catch (IOException | NumberFormatException notYet) {
                // not listening, or still loading or synchronising
            }
            Thread.sleep(5);
        }
        throw new IOException(name + " did not answer " + command + " with " + expected + " within " + timeoutSeconds
                + " s; see " + log);
    }

    /** A line of a text protocol (RESP, a server's log), without its CR LF. */
    static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed");
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    /**
     * Asks the JVM for a full collection (jcmd GC.run) and returns the RSS two seconds later: the footprint of the
     * live data, where {@link #rssMiB()} right after load also counts the heap the collector kept committed.
     */
    double rssAfterFullGcMiB() throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(process.pid()), "GC.run").redirectErrorStream(true).redirectOutput(
                ProcessBuilder.Redirect.DISCARD).start();
        if (!jcmd.waitFor(30, TimeUnit.SECONDS) || jcmd.exitValue() != 0) {
            throw new IOException("jcmd GC.run failed for " + name);
        }
        Thread.sleep(2000);
        return rssMiB();
    }

    /** Resident set size in MiB, from /proc (Linux). */
    double rssMiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        }
        throw new IOException("no VmRSS for " + name);
    }

    /** Threads of the process, from /proc (Linux). */
    int threads() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
            if (line.startsWith("Threads:")) {
                return Integer.parseInt(line.substring(8).trim());
            }
        }
        throw new IOException("no Threads for " + name);
    }

    /** The status of a GET of {@code path} on the probe port, on a connection of its own, as a kubelet probes. */
    int probe(String path) throws IOException {
        try (HttpConnection connection = new HttpConnection(probePort)) {
            return connection.get(path).status();
        }
    }

    /** The probe port: the Metric Store's management port (probes, own telemetry), else {@link #port}. */
    int probePort() {
        return probePort;
    }

    /**
     * CPU seconds the process has used (user + system, from /proc). Per operation it is a steadier figure than
     * throughput when something else shares the cores.
     */
    @Override
    public double cpuSeconds() throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(process.pid()), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // Fields 14 and 15 of stat (utime, stime), counted after the command name; clock ticks of 1/100 s on Linux.
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
    }

    private void requireAlive() throws IOException {
        if (!process.isAlive()) {
            throw new IOException(name + " exited with " + process.exitValue() + "; see " + log);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        if (scratch != null) {
            try (Stream<Path> files = Files.walk(scratch)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(file);
                }
            } catch (IOException ignored) {
                // a temporary directory left behind
            }
        }
    }
}
