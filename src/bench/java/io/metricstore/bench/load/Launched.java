package io.metricstore.bench.load;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server process the driver started on loopback: the packaged Metric Store, a Redis server or a Pushgateway.
 * Output goes to a log file next to the report, so a failed run can be read afterwards.
 */
final class Launched implements AutoCloseable, Workloads.Server {

    private final String name;
    private final Process process;
    private final int port;
    private final long startedNanos;
    private final Path log;

    private Launched(String name, List<String> command, int port, Path logDir) throws IOException {
        this.name = name;
        this.port = port;
        this.log = logDir.resolve(name + "-" + port + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        this.startedNanos = System.nanoTime();
        this.process = builder.start();
    }

    /** The packaged service; {@code properties} are passed as {@code -Dkey=value}. */
    static Launched metricStore(Path jar, int port, List<String> jvmOptions, List<String> properties, Path logDir)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-Dquarkus.http.port=" + port);
        command.add("-Dquarkus.http.host=127.0.0.1");
        for (String property : properties) {
            command.add("-D" + property);
        }
        command.add("-jar");
        command.add(jar.toString());
        return new Launched("metric-store", command, port, logDir);
    }

    /** Redis without persistence: the figures are the store's, not the disk's. */
    static Launched redis(String binary, int port, Path logDir) throws IOException {
        return new Launched("redis", List.of(binary, "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no"), port, logDir);
    }

    /**
     * The Pushgateway keeping its metrics in memory only, like the memory backend. Debian's build persists to a
     * shared file by default, which a new instance would load: the empty file name turns that off.
     */
    static Launched pushgateway(String binary, int port, Path logDir) throws IOException {
        return new Launched("pushgateway", List.of(binary, "--web.listen-address=127.0.0.1:" + port,
                "--persistence.file="), port, logDir);
    }

    @Override
    public int port() {
        return port;
    }

    /** Polls {@code path} until it answers 200; returns the seconds since the process was started. */
    double awaitHttpReady(String path, long timeoutSeconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (System.nanoTime() < deadline) {
            requireAlive();
            try (HttpConnection connection = new HttpConnection(port)) {
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
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (System.nanoTime() < deadline) {
            requireAlive();
            try (Socket socket = new Socket("127.0.0.1", port)) {
                OutputStream out = socket.getOutputStream();
                out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                byte[] answer = socket.getInputStream().readNBytes(7);
                if (new String(answer, StandardCharsets.US_ASCII).startsWith("+PONG")) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(5);
        }
        throw new IOException("redis not ready after " + timeoutSeconds + " s; see " + log);
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
    }
}
