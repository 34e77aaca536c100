package io.metricstore.delivery;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.metricstore.SelfSignedCertificate;
import io.metricstore.auth.Issuer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.jose4j.jwt.JwtClaims;

/**
 * What the store's pod sees of the Kubernetes API server, on loopback: the service-account issuer's JWKS at
 * {@code /openid/v1/jwks} over HTTPS, given only to a request that carries the projected token of the store's
 * {@code kubernetes-api} volume; that volume's files (the token and the CA); and tokens signed as the kubelet's
 * projected service-account tokens are.
 */
final class ServiceAccountIssuer implements AutoCloseable {

    private final String issuer;
    private final Issuer keys = new Issuer();
    private final HttpsServer server;
    private final Path tokenFile;
    private final Path caFile;
    private final AtomicInteger fetches = new AtomicInteger();
    private final AtomicInteger refusals = new AtomicInteger();

    private ServiceAccountIssuer(String issuer, Path directory) throws IOException {
        this.issuer = issuer;
        tokenFile = Files.writeString(directory.resolve("token"), randomHex(32));
        // A self-signed serving certificate, which is its own CA.
        SelfSignedCertificate certificate = SelfSignedCertificate.generate(directory, "api-server");
        caFile = certificate.certPem();
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(certificate.servingContext()));
        server.createContext("/openid/v1/jwks", this::jwks);
        server.start();
    }

    /** Serves the issuer {@code issuer} from a new loopback port, its files in {@code directory}. */
    static ServiceAccountIssuer start(String issuer, Path directory) {
        try {
            return new ServiceAccountIssuer(issuer, directory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String jwksUrl() {
        return "https://127.0.0.1:" + server.getAddress().getPort() + "/openid/v1/jwks";
    }

    /** The projected token for the API server's audience, used for the JWKS alone. */
    Path tokenFile() {
        return tokenFile;
    }

    /** The certificate that the API server's is, or is signed by (kube-root-ca.crt's ca.crt). */
    Path caFile() {
        return caFile;
    }

    /** Fetches of the JWKS with the projected token, and those refused for lack of it. */
    int fetches() {
        return fetches.get();
    }

    int refusals() {
        return refusals.get();
    }

    /**
     * A projected token of the service account {@code system:serviceaccount:<namespace>:<name>} for
     * {@code audience}, shaped as the kubelet's (RS256, the issuer's key id, the kubernetes.io claim).
     */
    String token(String identity, String audience) {
        String[] parts = identity.split(":");
        if (parts.length != 4 || !identity.startsWith("system:serviceaccount:")) {
            throw new IllegalArgumentException("not a service-account identity: " + identity);
        }
        JwtClaims claims = Issuer.claims(parts[2], parts[3]);
        claims.setIssuer(issuer);
        claims.setAudience(audience);
        claims.setGeneratedJwtId();
        claims.setClaim("kubernetes.io", Map.of("namespace", parts[2],
                "serviceaccount", Map.of("name", parts[3], "uid", UUID.randomUUID().toString()),
                "pod", Map.of("name", parts[3] + "-0", "uid", UUID.randomUUID().toString())));
        return keys.sign(claims);
    }

    private void jwks(HttpExchange exchange) throws IOException {
        try (exchange) {
            String expected = "Bearer " + Files.readString(tokenFile).strip();
            if (!expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                refusals.incrementAndGet();
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            fetches.incrementAndGet();
            byte[] body = keys.jwks().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/jwk-set+json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }

    static String randomHex(int bytes) {
        byte[] random = new byte[bytes];
        new SecureRandom().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }
}
