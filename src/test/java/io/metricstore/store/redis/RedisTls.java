package io.metricstore.store.redis;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A self-signed certificate for a Redis server on loopback (names {@code 127.0.0.1} and {@code localhost}), made by
 * the JDK's {@code keytool} for each test run, as {@code redis-server} reads it: the certificate and the private key
 * (PKCS#8) in PEM files. {@link #sockets()} trusts that certificate and nothing else.
 */
record RedisTls(Path cert, Path key, SSLSocketFactory sockets) {

    static RedisTls create() {
        try {
            Path dir = Files.createTempDirectory("metric-store-tls-");
            Path store = dir.resolve("redis.p12");
            String password = "test-only";
            String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
            run(List.of(keytool, "-genkeypair", "-alias", "redis", "-keyalg", "RSA", "-keysize", "2048",
                    "-validity", "2", "-dname", "CN=localhost", "-ext", "san=ip:127.0.0.1,dns:localhost",
                    "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", password,
                    "-keypass", password), dir);
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                keys.load(in, password.toCharArray());
            }
            Certificate certificate = keys.getCertificate("redis");
            PrivateKey privateKey = (PrivateKey) keys.getKey("redis", password.toCharArray());
            if (!"PKCS#8".equals(privateKey.getFormat())) {
                throw new IllegalStateException("keytool made a " + privateKey.getFormat() + " key, not PKCS#8");
            }
            Path cert = Files.writeString(dir.resolve("redis.crt"), pem("CERTIFICATE", certificate.getEncoded()));
            Path key = Files.writeString(dir.resolve("redis.key"), pem("PRIVATE KEY", privateKey.getEncoded()));

            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            trusted.setCertificateEntry("redis", certificate);
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return new RedisTls(cert, key, context.getSocketFactory());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /**
     * Whether {@code binary} was built with TLS. Asked to listen for TLS without a certificate, a build with TLS stops
     * for want of one ("No tls-cert-file configured"); a build without it does not get that far (Redis 6 and 7.0 do
     * not know the directive).
     */
    static boolean supported(File binary) {
        try {
            Path log = Files.createTempFile("metric-store-tls-probe-", ".log");
            List<String> command = List.of(binary.getPath(), "--port", "0", "--tls-port",
                    Integer.toString(RedisProcess.freePort(false)), "--bind", "127.0.0.1");
            Process probe = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!probe.waitFor(10, TimeUnit.SECONDS)) {
                probe.destroyForcibly().waitFor();
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            Files.delete(log);
            return output.contains("tls-cert-file");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Whether the tests must run over TLS whatever the binary: CI's Redis 7 pass must not skip them. */
    static boolean required() {
        return "true".equals(System.getenv("CI"));
    }

    private static void run(List<String> command, Path dir) throws IOException {
        Path log = dir.resolve("keytool.log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException("keytool failed: " + Files.readString(log, StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Skips a test class, before its application starts, where the {@code redis-server} the tests run has no TLS,
     * except under {@code CI=true}, where such a binary is a failure.
     */
    static final class Required implements ExecutionCondition {
        /** The probe's answer, asked once per JVM: the condition is evaluated for the class and each test. */
        private static Boolean supported;

        @Override
        public synchronized ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            File binary = RedisProcess.binary();
            if (supported == null) {
                supported = supported(binary);
            }
            if (supported) {
                return ConditionEvaluationResult.enabled(binary + " serves TLS");
            }
            if (required()) {
                return ConditionEvaluationResult.enabled(binary + " has no TLS, but CI=true must run this test");
            }
            return ConditionEvaluationResult.disabled(binary + " was built without TLS (set "
                    + RedisTestServer.BINARY + " to a redis-server with TLS, such as Debian's)");
        }
    }
}
