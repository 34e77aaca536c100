package io.metricstore.store.redis;

import io.metricstore.SelfSignedCertificate;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A self-signed certificate for a Redis server on loopback ({@link SelfSignedCertificate}), as {@code redis-server}
 * reads it: the certificate and the private key (PKCS#8) in PEM files. {@link #sockets()} trusts that certificate and
 * nothing else.
 */
record RedisTls(Path cert, Path key, SSLSocketFactory sockets) {

    static RedisTls create() {
        try {
            SelfSignedCertificate certificate =
                    SelfSignedCertificate.generate(Files.createTempDirectory("metric-store-tls-"), "redis");
            return new RedisTls(certificate.certPem(), certificate.keyPem(),
                    certificate.trustingContext().getSocketFactory());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
