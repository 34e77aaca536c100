package io.metricstore;

import static io.restassured.RestAssured.given;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/** What the tests that run the packaged service (or other real processes) need: the jar, a port, a bounded wait. */
public final class PackagedJar {

    public static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");
    /** Every port {@link #freePort} has handed out. */
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    /** The identity the packaged service's tests call as, with every role. */
    public static final String IDENTITY = "packaged-tests";
    /** Its bearer token; the tokens file holds only its hash. */
    public static final String TOKEN = UUID.randomUUID().toString().replace("-", "");

    private PackagedJar() {
    }

    /**
     * The options that run the packaged service as it runs in production, authentication on: a tokens file (under
     * target/) granting {@link #IDENTITY} every role, and the management interface on a port of its own.
     */
    public static List<String> secured(int managementPort) {
        Path file = Path.of("target", "packaged-tokens", IDENTITY);
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, IDENTITY + " " + sha256(TOKEN) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.of("-Dquarkus.management.port=" + managementPort, "-Dstore.auth.tokens-file=" + file,
                "-Dstore.auth.grants.admin=" + IDENTITY);
    }

    /** The value of the Authorization header for {@link #TOKEN}. */
    public static String bearer() {
        return "Bearer " + TOKEN;
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The java launcher of the JVM running the tests. */
    public static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * A port free now, and never handed out before in this test JVM: the system may give a port it just freed again at
     * once, and two processes told the same port would fight over it (one of TwoReplicasIT's replicas once did).
     */
    public static int freePort() throws IOException {
        while (true) {
            try (ServerSocket socket = new ServerSocket(0)) {
                if (HANDED_OUT.add(socket.getLocalPort())) {
                    return socket.getLocalPort();
                }
            }
        }
    }

    /**
     * Polls until {@code condition} holds, failing after {@code within}. For what runs on real time a test cannot
     * move: processes starting, Redis recovering, a Prometheus server scraping.
     */
    public static void await(BooleanSupplier condition, Duration within, String what) throws InterruptedException {
        Eventually.until(condition, within, what, Duration.ofMillis(100));
    }

    /** Whether {@code url} answers {@code status} now (false while nothing listens there yet). */
    public static boolean answers(String url, int status) {
        try {
            return given().get(url).statusCode() == status;
        } catch (Exception notListening) {
            return false;
        }
    }
}
