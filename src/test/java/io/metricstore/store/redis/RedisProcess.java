package io.metricstore.store.redis;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import javax.net.ssl.SSLSocketFactory;
import redis.embedded.core.ExecutableProvider;

/**
 * One {@code redis-server} process of a test topology (a data node, a cluster node or a Sentinel), started from the
 * binary {@link RedisTestServer} uses: the one inside embedded-redis (Redis 6.2), or
 * {@code METRIC_STORE_TEST_REDIS_BINARY}. Each process has a temporary directory of its own holding its
 * configuration file, its data and its log ({@code redis.log}); Sentinel and {@code CONFIG REWRITE} may rewrite the
 * configuration file, and a restart starts from that file again. Processes still running when the JVM exits are
 * killed then.
 */
final class RedisProcess {

    /** Ports handed out by this JVM: a process may take a moment to bind the port it was given. */
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();
    /**
     * Every process started and not yet destroyed, so that the JVM's exit kills them all, those of a topology still
     * being launched included; after that nothing starts any more.
     */
    private static final Set<RedisProcess> RUNNING = new HashSet<>();
    private static boolean exiting;
    private static File binary;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(RedisProcess::destroyAllAtExit, "redis-processes-exit"));
    }

    final String name;
    final int port;
    private final Path dir;
    private final Path conf;
    private final boolean sentinel;
    /** The certificate it serves TLS with, on {@link #port} and no other; null for a plain port. */
    private final RedisTls tls;
    private Process process;

    private RedisProcess(String name, int port, Path dir, Path conf, boolean sentinel, RedisTls tls) {
        this.name = name;
        this.port = port;
        this.dir = dir;
        this.conf = conf;
        this.sentinel = sentinel;
        this.tls = tls;
    }

    /**
     * Starts a process on a free port and waits until it answers {@code PING}. {@code settings} gives the lines of
     * its configuration file for a port; {@code port}, {@code bind} and {@code dir} are added. A port taken meanwhile
     * by someone else is replaced by another.
     *
     * @param bus whether the port ten thousand above must be free too (a Cluster node's bus port)
     */
    static RedisProcess launch(String name, boolean sentinel, boolean bus, IntFunction<List<String>> settings) {
        return launch(name, sentinel, bus, null, settings);
    }

    /**
     * Starts a data node that speaks TLS only, with {@code tls}' certificate, on a free port (its plain port is off);
     * clients need no certificate of their own. Fails when the binary cannot serve TLS ({@link RedisTls#supported}).
     */
    static RedisProcess launchTls(String name, RedisTls tls, IntFunction<List<String>> settings) {
        return launch(name, false, false, tls, settings);
    }

    private static RedisProcess launch(String name, boolean sentinel, boolean bus, RedisTls tls,
                                       IntFunction<List<String>> settings) {
        for (int attempt = 1; ; attempt++) {
            int port = freePort(bus);
            try {
                Path dir = Files.createTempDirectory("metric-store-" + name + "-");
                List<String> lines = new ArrayList<>(tls == null ? List.of("port " + port) : List.of("port 0",
                        "tls-port " + port, "tls-cert-file " + tls.cert(), "tls-key-file " + tls.key(),
                        "tls-ca-cert-file " + tls.cert(), "tls-auth-clients no"));
                lines.addAll(List.of("bind 127.0.0.1", "dir " + dir, "daemonize no", "logfile \"\""));
                lines.addAll(settings.apply(port));
                Path conf = Files.write(dir.resolve(sentinel ? "sentinel.conf" : "redis.conf"), lines);
                RedisProcess redis = new RedisProcess(name, port, dir, conf, sentinel, tls);
                if (redis.startProcess()) {
                    return redis;
                }
                String log = redis.log();
                redis.delete();
                if (!log.contains("Address already in use") || attempt == 3) {
                    throw new IllegalStateException(name + " did not start on port " + port + ":\n" + log);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Starts the process again (after {@link #kill()}) on the same port, directory and configuration file. */
    void restart() {
        if (alive()) {
            throw new IllegalStateException(name + " is running");
        }
        if (!startProcess()) {
            throw new IllegalStateException(name + " did not start again on port " + port + ":\n" + log());
        }
    }

    private boolean startProcess() {
        List<String> command = new ArrayList<>(List.of(binary().getPath(), conf.toString()));
        if (sentinel) {
            command.add("--sentinel");
        }
        synchronized (RUNNING) {
            if (exiting) {
                throw new IllegalStateException("the JVM exits: " + name + " is not started");
            }
            try {
                process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile())).start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            RUNNING.add(this);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (process.isAlive() && System.nanoTime() < deadline) {
            if ("PONG".equals(Resp.tryCall(sockets(), port, "PING"))) {
                return true;
            }
            pause();
        }
        process.destroyForcibly();
        waitForExit();
        synchronized (RUNNING) {
            RUNNING.remove(this);
        }
        return false;
    }

    /** Sends {@code command} to this process, as the default user. */
    Object call(String... command) {
        return Resp.call(sockets(), port, null, null, command);
    }

    /** Sends {@code command} to this process as the ACL user {@code user}. */
    Object callAs(String user, String password, String... command) {
        return Resp.call(sockets(), port, user, password, command);
    }

    /** How to reach it: over TLS, trusting its certificate, or (null) over a plain socket. */
    SSLSocketFactory sockets() {
        return tls == null ? null : tls.sockets();
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    /**
     * SIGKILL, as a crash: nothing is flushed on the way out, so only what was fsynced survives. The process killed
     * is the one answering on the port (its {@code INFO server} process id), which must be the one started here.
     */
    void kill() {
        long pid = Long.parseLong(Resp.info(sockets(), port, "server").get("process_id").trim());
        if (pid != process.pid()) {
            throw new IllegalStateException(name + ": port " + port + " is served by process " + pid
                    + ", not by the started " + process.pid());
        }
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        waitForExit();
    }

    /** Kills the process if it runs and removes its directory. */
    void destroy() {
        if (alive()) {
            process.destroyForcibly();
            waitForExit();
        }
        synchronized (RUNNING) {
            RUNNING.remove(this);
        }
        delete();
        HANDED_OUT.remove(port);
        HANDED_OUT.remove(port + 10000);
    }

    /** The shutdown hook: a test resource that was not stopped (a JVM ended early) leaves no process behind. */
    private static void destroyAllAtExit() {
        List<RedisProcess> left;
        synchronized (RUNNING) {
            exiting = true;
            left = new ArrayList<>(RUNNING);
        }
        left.forEach(RedisProcess::destroy);
    }

    private void waitForExit() {
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + " (pid " + process.pid() + ") did not exit after SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping " + name, e);
        }
    }

    private void delete() {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind is not worth failing a test for
        }
    }

    /** The process' log, for failure messages. */
    String log() {
        try {
            Path log = dir.resolve("redis.log");
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "(no log)";
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    @Override
    public String toString() {
        return name + "@" + port;
    }

    /**
     * The binary {@link RedisTestServer} runs: {@code METRIC_STORE_TEST_REDIS_BINARY}, else the one inside
     * embedded-redis, copied out of the jar once per JVM.
     */
    static synchronized File binary() {
        if (binary == null) {
            String configured = System.getenv(RedisTestServer.BINARY);
            try {
                binary = configured == null || configured.isBlank()
                        ? ExecutableProvider.newJarResourceProvider().get() : new File(configured);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return binary;
    }

    /**
     * A loopback port nobody listens on, from 10000 to 21999, so that the Cluster bus port (ten thousand above) is
     * below 32768 too: outside Linux' ephemeral range, so no outgoing connection takes a port while its node is
     * down for a restart.
     */
    static int freePort(boolean bus) {
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = 10000 + ThreadLocalRandom.current().nextInt(12000);
            if (bindable(port) && (!bus || bindable(port + 10000)) && HANDED_OUT.add(port)) {
                if (bus && !HANDED_OUT.add(port + 10000)) {
                    HANDED_OUT.remove(port);
                    continue;
                }
                return port;
            }
        }
        throw new IllegalStateException("no free loopback port found");
    }

    private static boolean bindable(int port) {
        if (HANDED_OUT.contains(port)) {
            return false;
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException taken) {
            return false;
        }
    }

    /**
     * Polls {@code condition} until it holds, failing after {@code within} with {@code what} and the logs of
     * {@code processes}: what external processes do runs on real time.
     */
    static void await(BooleanSupplier condition, Duration within, String what, List<RedisProcess> processes) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                StringBuilder message = new StringBuilder(what + " did not happen within " + within);
                for (RedisProcess redis : processes) {
                    String log = redis.log();
                    message.append("\n--- ").append(redis).append(" (last lines of its log)\n")
                            .append(log.substring(Math.max(0, log.length() - 3000)));
                }
                throw new AssertionError(message);
            }
            pause();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
