package io.metricstore.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.metricstore.PackagedJar;
import io.metricstore.SelfSignedCertificate;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The API over HTTPS, configured as docs/tls.md deploys it: the packaged service with authentication on, its
 * certificate and key as PEM files (a self-signed pair made here with the JDK's keytool) in the TLS registry
 * configuration {@code api}, which only the HTTP server uses; the plain-HTTP port off; the management interface (the
 * probes) left on plain HTTP. The PEM files sit in a directory laid out like a mounted Kubernetes Secret, so that a
 * second service can have its certificate rotated the way the kubelet does it.
 *
 * <p>The TLS settings are passed as environment variables, with the names the documentation gives, so that a wrong
 * name fails here rather than in a cluster.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HttpsIT {

    private static final Path DIR = Path.of("target", "https-it");
    private static final String IDENTITY = "tls-admin";
    private static final String TOKEN = randomHex(32);
    private static final char[] STORE_PASSWORD = "changeit".toCharArray();
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Generous: the machines that run this are shared, and a JVM may take half a minute to start there. */
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final List<Service> STARTED = new CopyOnWriteArrayList<>();

    private static Path tokens;
    private static SelfSignedCertificate certificate;
    private static Service service;

    /** Prints the services' logs under a failed test. */
    @RegisterExtension
    static final TestWatcher PRINT_LOGS_ON_FAILURE = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            STARTED.forEach(Service::printLog);
        }
    };

    @BeforeAll
    static void start() throws Exception {
        assertThat(PackagedJar.JAR).as("./mvnw package first").exists();
        deleteRecursively(DIR);
        Files.createDirectories(DIR);
        String sha256 = HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(TOKEN.getBytes(StandardCharsets.UTF_8)));
        tokens = Files.writeString(DIR.resolve("tokens"), IDENTITY + " " + sha256 + "\n");
        certificate = SelfSignedCertificate.generate(DIR, "api");
        // Without a reload period: every reload replaces the server's TLS context, and a connection accepted at that
        // moment can be closed (see the rotation test), which would make the assertions here depend on timing.
        service = Service.start("service", SecretVolume.create(DIR.resolve("tls"), certificate), Map.of());
    }

    @AfterAll
    static void stop() throws InterruptedException {
        for (Service started : STARTED) {
            started.close();
        }
    }

    @Test
    @Order(1)
    void theApiAnswersOverHttpsWithAToken() throws Exception {
        HttpClient client = trusting(certificate);
        HttpResponse<String> write = client.send(service.request("/api/v1/points")
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"role\":\"leader\",\"source\":\"leader_scrape\",\"points\":["
                        + "{\"name\":\"https_it_up\",\"labels\":{\"job\":\"tls\"},\"value\":1}]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(write.statusCode()).as(write.body()).isEqualTo(200);
        assertThat(JSON.readTree(write.body()).path("applied").asInt()).isEqualTo(1);

        HttpResponse<String> series = client.send(service.request("/api/v1/series?name=https_it_up")
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(series.statusCode()).as(series.body()).isEqualTo(200);
        JsonNode found = JSON.readTree(series.body()).path("series");
        assertThat(found).hasSize(1);
        assertThat(found.get(0).path("id").asText()).isEqualTo("https_it_up{job=\"tls\"}");
        assertThat(found.get(0).path("value").asDouble()).isEqualTo(1.0);

        PackagedJar.await(() -> service.get(client, "/metrics").contains("https_it_up{job=\"tls\"} 1"), TIMEOUT,
                "the point in /metrics over HTTPS");
    }

    @Test
    @Order(2)
    void withoutATokenItIs401OverHttps() throws Exception {
        HttpResponse<String> response = trusting(certificate).send(service.request("/api/v1/series").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(JSON.readTree(response.body()).path("type").asText())
                .isEqualTo("urn:metric-store:problem:unauthenticated");
    }

    @Test
    @Order(3)
    void noPlainHttpForTheApi() {
        assertThat(catchThrowable(() -> new Socket("127.0.0.1", service.plainPort).close()))
                .as("nothing listens on the plain-HTTP port (quarkus.http.insecure-requests=disabled)")
                .isInstanceOf(ConnectException.class);
        HttpClient plain = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
        assertThat(catchThrowable(() -> plain.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + service.httpsPort + "/metrics")).timeout(TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString())))
                .as("plain HTTP on the HTTPS port gets no answer").isInstanceOf(IOException.class);
    }

    @Test
    @Order(4)
    void aClientThatDoesNotTrustTheCertificateFailsTheHandshake() {
        // The JDK's default trust (its public CAs), which knows nothing of a self-signed certificate.
        HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
        Throwable failure = catchThrowable(() -> client.send(service.request("/metrics")
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString()));
        assertThat(handshakeFailure(failure)).as("%s", failure).isTrue();
    }

    @Test
    @Order(5)
    void theManagementInterfaceStaysOnPlainHttp() {
        assertThat(PackagedJar.answers(service.management("/q/health/live"), 200)).isTrue();
        assertThat(PackagedJar.answers(service.management("/q/metrics"), 200)).isTrue();
    }

    /** After the tests above, so that the log holds what they did (refused handshakes included). */
    @Test
    @Order(6)
    void theLogHasNoWarning() throws IOException {
        String log = Files.readString(service.log, StandardCharsets.UTF_8);
        assertThat(log).as("every variable is a known property").doesNotContain("Unrecognized configuration key");
        assertThat(log.lines().filter(line -> line.contains(" WARN ") || line.contains(" ERROR ")))
                .as("a start with TLS, and refused handshakes, log no WARN or ERROR").isEmpty();
    }

    /**
     * A service of its own, which reads its certificate again every second (quarkus.tls.api.reload-period): the
     * kubelet's swap of a new Secret version is served without a restart. Requests are retried until then, and
     * also because each reload replaces the server's TLS context and Vert.x (4.5.27) closes a connection accepted
     * at that moment ("Failed to initialize a channel"); with a deployment's period of an hour that is rare.
     */
    @Test
    @Order(7)
    void aRotatedCertificateIsServedWithoutARestart() throws Exception {
        Path mount = SecretVolume.create(DIR.resolve("rotating-tls"), certificate);
        Service rotating = Service.start("rotating", mount, Map.of("QUARKUS_TLS_API_RELOAD_PERIOD", "1s"));
        HttpClient trustingFirst = trusting(certificate);
        PackagedJar.await(() -> rotating.get(trustingFirst, "/api/v1/cursor").contains("cursor"), TIMEOUT,
                "the first certificate served");

        SelfSignedCertificate rotated = SelfSignedCertificate.generate(DIR, "rotated");
        SecretVolume.update(mount, rotated);
        HttpClient trustingRotated = trusting(rotated);
        PackagedJar.await(() -> rotating.get(trustingRotated, "/api/v1/cursor").contains("cursor"),
                TIMEOUT.multipliedBy(2), "the rotated certificate served");
        Throwable failure = catchThrowable(() -> trusting(certificate).send(rotating.request("/api/v1/cursor")
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString()));
        assertThat(handshakeFailure(failure)).as("the first certificate is no longer served: %s", failure).isTrue();
        assertThat(rotating.process.isAlive()).as("the same process, not restarted").isTrue();
    }

    // --- helpers ---

    private static String randomHex(int bytes) {
        byte[] random = new byte[bytes];
        new SecureRandom().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    /** A client whose only trust anchor is {@code certificate}: no public CA, no other certificate. */
    private static HttpClient trusting(SelfSignedCertificate certificate) {
        return HttpClient.newBuilder().sslContext(certificate.trustingContext()).connectTimeout(TIMEOUT).build();
    }

    private static boolean handshakeFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SSLHandshakeException) {
                return true;
            }
        }
        return false;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    /**
     * The packaged service on free ports, with authentication on (the test's token holds the role admin) and the TLS
     * settings of docs/tls.md as environment variables, its certificate and key in {@code mount}. Its output goes to
     * {@code target/https-it/<name>.log}.
     */
    private static final class Service implements AutoCloseable {

        final Path log;
        final int httpsPort;
        final int plainPort;
        final int managementPort;
        final Process process;

        private Service(String name, Path mount, Map<String, String> environment) throws IOException {
            log = DIR.resolve(name + ".log");
            httpsPort = PackagedJar.freePort();
            plainPort = PackagedJar.freePort();
            managementPort = PackagedJar.freePort();
            List<String> command = List.of(PackagedJar.java(),
                    "-Dquarkus.http.port=" + plainPort,
                    "-Dquarkus.management.port=" + managementPort,
                    "-Dquarkus.shutdown.delay=0s",
                    "-Dstore.auth.tokens-file=" + tokens,
                    "-Dstore.auth.grants.admin=" + IDENTITY,
                    "-jar", PackagedJar.JAR.toString());
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            // A named configuration for the HTTP server (the default one would also put the management interface on
            // HTTPS), its PEM pair named by a word (a variable with PEM_0_ is not read).
            builder.environment().put("QUARKUS_HTTP_TLS_CONFIGURATION_NAME", "api");
            builder.environment().put("QUARKUS_TLS_API_KEY_STORE_PEM_SERVER_CERT", mount.resolve("tls.crt").toString());
            builder.environment().put("QUARKUS_TLS_API_KEY_STORE_PEM_SERVER_KEY", mount.resolve("tls.key").toString());
            builder.environment().put("QUARKUS_HTTP_SSL_PORT", Integer.toString(httpsPort));
            builder.environment().put("QUARKUS_HTTP_INSECURE_REQUESTS", "disabled");
            builder.environment().putAll(environment);
            process = builder.start();
        }

        /** Starts a service and waits until it is ready, asked on the management port over plain HTTP. */
        static Service start(String name, Path mount, Map<String, String> environment) throws Exception {
            Service started = new Service(name, mount, environment);
            STARTED.add(started);
            try {
                PackagedJar.await(() -> !started.process.isAlive()
                        || PackagedJar.answers(started.management("/q/health/ready"), 200),
                        TIMEOUT.multipliedBy(4), name + ": readiness on the management port, over plain HTTP");
                assertThat(started.process.isAlive()).as("%s is running", name).isTrue();
            } catch (Throwable startFailed) {
                started.printLog();
                throw startFailed;
            }
            return started;
        }

        String management(String path) {
            return "http://127.0.0.1:" + managementPort + path;
        }

        HttpRequest.Builder request(String path) {
            return HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + httpsPort + path)).timeout(TIMEOUT);
        }

        /** The body of a GET with the token, or "" while it fails or is not 200 (for polling). */
        String get(HttpClient client, String path) {
            try {
                HttpResponse<String> response = client.send(request(path).header("Authorization", "Bearer " + TOKEN)
                        .build(), HttpResponse.BodyHandlers.ofString());
                return response.statusCode() == 200 ? response.body() : "";
            } catch (IOException notYet) {
                return "";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "";
            }
        }

        void printLog() {
            try {
                System.out.println("--- " + log + " ---\n" + Files.readString(log, StandardCharsets.UTF_8));
            } catch (IOException e) {
                System.out.println("--- no log " + log + ": " + e);
            }
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /**
     * A directory laid out as the kubelet lays out a mounted Secret: {@code tls.crt} and {@code tls.key} are links
     * through {@code ..data}, a link to the current version's directory, which an update swaps in one rename.
     */
    private static final class SecretVolume {

        private static final AtomicInteger VERSIONS = new AtomicInteger();

        static Path create(Path mount, SelfSignedCertificate pair) throws IOException {
            Files.createDirectories(mount);
            Files.createSymbolicLink(mount.resolve("..data"), version(mount, pair).getFileName());
            for (String file : new String[] {"tls.crt", "tls.key"}) {
                Files.createSymbolicLink(mount.resolve(file), Path.of("..data", file));
            }
            return mount;
        }

        static void update(Path mount, SelfSignedCertificate pair) throws IOException {
            Path next = mount.resolve("..data_tmp");
            Files.createSymbolicLink(next, version(mount, pair).getFileName());
            Files.move(next, mount.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
        }

        private static Path version(Path mount, SelfSignedCertificate pair) throws IOException {
            Path version = Files.createDirectory(mount.resolve("..v" + VERSIONS.incrementAndGet()));
            Files.copy(pair.certPem(), version.resolve("tls.crt"));
            Files.copy(pair.keyPem(), version.resolve("tls.key"));
            return version;
        }
    }
}
