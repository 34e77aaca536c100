package io.metricstore.bench.load;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A driver's command line ({@code --name value} pairs, each read with a default), and what drivers ask the machine. */
final class Options {

    /**
     * What a pod runs: the ubi openjdk run-java defaults with the image's collector and heap free ratios
     * (src/main/docker/Dockerfile.jvm), sized as in the manifest's 768 MiB container (MaxRAM stands in for the
     * container limit, so the initial and maximum heap follow from it as they would there; JAVA_MAX_MEM_RATIO 70).
     */
    static final String IMAGE_JVM_OPTIONS = "-XX:MaxRAM=768m -XX:MaxRAMPercentage=70 -XX:+UseSerialGC "
            + "-XX:MinHeapFreeRatio=40 -XX:MaxHeapFreeRatio=70 -XX:GCTimeRatio=4 -XX:AdaptiveSizePolicyWeight=90 "
            + "-XX:+ExitOnOutOfMemoryError";

    private final Map<String, String> values;

    private Options(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    /** The options, or the usage on standard error and exit status 2 when they are not {@code --name value} pairs. */
    static Options parse(String[] args, String usage) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 == args.length) {
                System.err.println(usage);
                System.exit(2);
            }
            values.put(args[i].substring(2), args[++i]);
        }
        return new Options(values);
    }

    Map<String, String> values() {
        return values;
    }

    String text(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    int integer(String name, int fallback) {
        return Integer.parseInt(text(name, String.valueOf(fallback)));
    }

    double decimal(String name, double fallback) {
        return Double.parseDouble(text(name, String.valueOf(fallback)));
    }

    /** The service's JVM options: {@code jvm-options}, else the image's. */
    List<String> jvmOptions() {
        return Arrays.asList(text("jvm-options", IMAGE_JVM_OPTIONS).trim().split("\\s+"));
    }

    @Override
    public String toString() {
        return values.toString();
    }

    /** The machine's load averages over 1, 5 and 15 minutes, from /proc (Linux). */
    static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return fields[0] + " / " + fields[1] + " / " + fields[2];
        } catch (IOException e) {
            return "?";
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
