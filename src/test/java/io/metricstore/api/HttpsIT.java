package io.metricstore.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.metricstore.PackagedJar;
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
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
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
 * probes) left on plain HTTP. The PEM files sit in a directory laid out like a mounted Kubernetes Secret, so the last
 * test can rotate the certificate the way the kubelet does and see the running service take it up.
 *
 * <p>The TLS settings are passed as environment variables, with the names the documentation gives, so that a wrong
 * name fails here rather than in a cluster.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HttpsIT {

    private static final Path DIR = Path.of("target", "https-it");
    private static final Path LOG = DIR.resolve("service.log");
    private static final String IDENTITY = "tls-admin";
    private static final String TOKEN = randomHex(32);
    private static final char[] STORE_PASSWORD = "changeit".toCharArray();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Process service;
    private static SelfSigned certificate;
    private static Path mount;
    private static int httpsPort;
    private static int plainPort;
    private static int managementPort;

    /** Prints the service's log under a failed test. */
    @RegisterExtension
    static final TestWatcher PRINT_LOG_ON_FAILURE = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            printLog();
        }
    };

    @BeforeAll
    static void start() throws Exception {
        assertThat(PackagedJar.JAR).as("./mvnw package first").exists();
        deleteRecursively(DIR);
        Files.createDirectories(DIR);
        certificate = SelfSigned.generate(DIR, "api");
        mount = DIR.resolve("tls");
        SecretVolume.create(mount, certificate);
        String sha256 = HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(TOKEN.getBytes(StandardCharsets.UTF_8)));
        Path tokens = Files.writeString(DIR.resolve("tokens"), IDENTITY + " " + sha256 + "\n");

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
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(LOG.toFile());
        // docs/tls.md: a named configuration for the HTTP server (the default one would also put the management
        // interface on HTTPS), its PEM pair named by a word (a variable with PEM_0_ is not read). The test reloads
        // every second where a deployment would every hour or so.
        builder.environment().put("QUARKUS_HTTP_TLS_CONFIGURATION_NAME", "api");
        builder.environment().put("QUARKUS_TLS_API_KEY_STORE_PEM_SERVER_CERT", mount.resolve("tls.crt").toString());
        builder.environment().put("QUARKUS_TLS_API_KEY_STORE_PEM_SERVER_KEY", mount.resolve("tls.key").toString());
        builder.environment().put("QUARKUS_TLS_API_RELOAD_PERIOD", "1s");
        builder.environment().put("QUARKUS_HTTP_SSL_PORT", Integer.toString(httpsPort));
        builder.environment().put("QUARKUS_HTTP_INSECURE_REQUESTS", "disabled");
        service = builder.start();
        try {
            PackagedJar.await(() -> !service.isAlive() || PackagedJar.answers(management("/q/health/ready"), 200),
                    Duration.ofSeconds(60), "readiness on the management port, over plain HTTP");
            assertThat(service.isAlive()).as("the service is running").isTrue();
        } catch (Throwable startFailed) {
            printLog();
            throw startFailed;
        }
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (service != null) {
            service.destroy();
            if (!service.waitFor(30, TimeUnit.SECONDS)) {
                service.destroyForcibly();
            }
        }
    }

    @Test
    @Order(1)
    void theApiAnswersOverHttpsWithAToken() throws Exception {
        HttpClient client = trusting(certificate);
        HttpResponse<String> write = client.send(request("/api/v1/points").header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"role\":\"leader\",\"source\":\"leader_scrape\",\"points\":["
                        + "{\"name\":\"https_it_up\",\"labels\":{\"job\":\"tls\"},\"value\":1}]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(write.statusCode()).as(write.body()).isEqualTo(200);
        assertThat(JSON.readTree(write.body()).path("applied").asInt()).isEqualTo(1);

        HttpResponse<String> series = client.send(request("/api/v1/series?name=https_it_up")
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(series.statusCode()).as(series.body()).isEqualTo(200);
        JsonNode found = JSON.readTree(series.body()).path("series");
        assertThat(found).hasSize(1);
        assertThat(found.get(0).path("id").asText()).isEqualTo("https_it_up{job=\"tls\"}");
        assertThat(found.get(0).path("value").asDouble()).isEqualTo(1.0);

        PackagedJar.await(() -> metrics(client).contains("https_it_up{job=\"tls\"} 1"), Duration.ofSeconds(30),
                "the point in /metrics over HTTPS");
    }

    @Test
    @Order(2)
    void withoutATokenItIs401OverHttps() throws Exception {
        HttpResponse<String> response = trusting(certificate).send(request("/api/v1/series").build(),
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
        assertThat(catchThrowable(() -> new Socket("127.0.0.1", plainPort).close()))
                .as("nothing listens on the plain-HTTP port (quarkus.http.insecure-requests=disabled)")
                .isInstanceOf(ConnectException.class);
        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        assertThat(catchThrowable(() -> plain.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + httpsPort + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString())))
                .as("plain HTTP on the HTTPS port gets no answer").isInstanceOf(IOException.class);
    }

    @Test
    @Order(4)
    void aClientThatDoesNotTrustTheCertificateFailsTheHandshake() {
        // The JDK's default trust (its public CAs), which knows nothing of a self-signed certificate.
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        Throwable failure = catchThrowable(() -> client.send(request("/metrics")
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString()));
        assertThat(handshakeFailure(failure)).as("%s", failure).isTrue();
    }

    @Test
    @Order(5)
    void theManagementInterfaceStaysOnPlainHttp() {
        assertThat(PackagedJar.answers(management("/q/health/live"), 200)).isTrue();
        assertThat(PackagedJar.answers(management("/q/metrics"), 200)).isTrue();
    }

    @Test
    @Order(6)
    void theLogHasNoWarning() throws IOException {
        String log = Files.readString(LOG, StandardCharsets.UTF_8);
        assertThat(log).as("every variable is a known property").doesNotContain("Unrecognized configuration key");
        assertThat(log.lines().filter(line -> line.contains(" WARN ") || line.contains(" ERROR ")))
                .as("a start with TLS, and refused handshakes, log no WARN or ERROR").isEmpty();
    }

    /** Last: it replaces the certificate that the tests above trust. */
    @Test
    @Order(7)
    void aRotatedCertificateIsServedWithoutARestart() throws Exception {
        SelfSigned rotated = SelfSigned.generate(DIR, "rotated");
        SecretVolume.update(mount, rotated);
        HttpClient trustingRotated = trusting(rotated);
        PackagedJar.await(() -> metrics(trustingRotated).contains("https_it_up{job=\"tls\"} 1"),
                Duration.ofSeconds(30), "the rotated certificate served (quarkus.tls.api.reload-period)");
        Throwable failure = catchThrowable(() -> trusting(certificate).send(request("/metrics")
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString()));
        assertThat(handshakeFailure(failure)).as("the old certificate is no longer served: %s", failure).isTrue();
        assertThat(service.isAlive()).as("the same process, not restarted").isTrue();
    }

    // --- helpers ---

    private static String randomHex(int bytes) {
        byte[] random = new byte[bytes];
        new SecureRandom().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    private static String management(String path) {
        return "http://127.0.0.1:" + managementPort + path;
    }

    private static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + httpsPort + path))
                .timeout(Duration.ofSeconds(10));
    }

    /** The body of {@code /metrics} with the token, or "" while the request fails (for polling). */
    private static String metrics(HttpClient client) {
        try {
            HttpResponse<String> response = client.send(request("/metrics").header("Authorization", "Bearer " + TOKEN)
                    .build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body() : "";
        } catch (IOException notYet) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** A client whose only trust anchor is {@code certificate}: no public CA, no other certificate. */
    private static HttpClient trusting(SelfSigned certificate) throws GeneralSecurityException, IOException {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("api", certificate.certificate());
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trustManagers.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private static boolean handshakeFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SSLHandshakeException) {
                return true;
            }
        }
        return false;
    }

    private static void printLog() {
        try {
            System.out.println("--- service log (" + LOG + ") ---\n" + Files.readString(LOG, StandardCharsets.UTF_8));
        } catch (IOException e) {
            System.out.println("--- no service log: " + e);
        }
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
     * A self-signed certificate for 127.0.0.1 and localhost made by the JDK's keytool into a PKCS12 store, and the
     * same pair as PEM: the certificate exported by keytool, the private key written as PKCS#8 from the store.
     */
    private record SelfSigned(X509Certificate certificate, Path certPem, Path keyPem) {

        static SelfSigned generate(Path dir, String alias) throws IOException, InterruptedException,
                GeneralSecurityException {
            Path store = dir.resolve(alias + ".p12");
            Path certPem = dir.resolve(alias + ".crt");
            String password = new String(STORE_PASSWORD);
            keytool("-genkeypair", "-alias", alias, "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                    "-dname", "CN=localhost", "-ext", "san=ip:127.0.0.1,dns:localhost",
                    "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", password, "-noprompt");
            keytool("-exportcert", "-rfc", "-alias", alias, "-file", certPem.toString(),
                    "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", password);
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            try (var in = Files.newInputStream(store)) {
                keyStore.load(in, STORE_PASSWORD);
            }
            PrivateKey key = (PrivateKey) keyStore.getKey(alias, STORE_PASSWORD);
            assertThat(key.getFormat()).isEqualTo("PKCS#8");
            Path keyPem = Files.writeString(dir.resolve(alias + ".key"), "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
                    + "\n-----END PRIVATE KEY-----\n", StandardCharsets.US_ASCII);
            return new SelfSigned((X509Certificate) keyStore.getCertificate(alias), certPem, keyPem);
        }

        private static void keytool(String... arguments) throws IOException, InterruptedException {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
            command.addAll(List.of(arguments));
            Process keytool = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).as("keytool finished").isTrue();
            assertThat(keytool.exitValue()).as("keytool %s: %s", arguments[0], output).isZero();
        }
    }

    /**
     * A directory laid out as the kubelet lays out a mounted Secret: {@code tls.crt} and {@code tls.key} are links
     * through {@code ..data}, a link to the current version's directory, which an update swaps in one rename.
     */
    private static final class SecretVolume {

        private static int versions;

        static void create(Path mount, SelfSigned pair) throws IOException {
            Files.createDirectories(mount);
            Files.createSymbolicLink(mount.resolve("..data"), version(mount, pair).getFileName());
            for (String file : new String[] {"tls.crt", "tls.key"}) {
                Files.createSymbolicLink(mount.resolve(file), Path.of("..data", file));
            }
        }

        static void update(Path mount, SelfSigned pair) throws IOException {
            Path next = mount.resolve("..data_tmp");
            Files.createSymbolicLink(next, version(mount, pair).getFileName());
            Files.move(next, mount.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
        }

        private static Path version(Path mount, SelfSigned pair) throws IOException {
            Path version = Files.createDirectory(mount.resolve("..v" + ++versions));
            Files.copy(pair.certPem(), version.resolve("tls.crt"));
            Files.copy(pair.keyPem(), version.resolve("tls.key"));
            return version;
        }
    }
}
