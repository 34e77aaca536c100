package io.metricstore;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** What the tests that run the packaged service (or other real processes) need: the jar, a port, a bounded wait. */
public final class PackagedJar {

    public static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");

    private PackagedJar() {
    }

    /** The java launcher of the JVM running the tests. */
    public static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /**
     * Polls until {@code condition} holds, failing after {@code within}. For what runs on real time a test cannot
     * move: processes starting, Redis recovering, a Prometheus server scraping.
     */
    public static void await(BooleanSupplier condition, Duration within, String what) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("%s within %s", what, within).isLessThan(deadline);
            Thread.sleep(100);
        }
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
