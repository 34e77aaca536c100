package io.metricstore.delivery;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * What the store's pod sees of the Kubernetes API server, on loopback: the service-account issuer's JWKS at
 * {@code /openid/v1/jwks} over HTTPS, given only to a request that carries the projected token of the store's
 * {@code kubernetes-api} volume; that volume's files (the token and the CA); and tokens signed as the kubelet's
 * projected service-account tokens are.
 */
final class ServiceAccountIssuer implements AutoCloseable {

    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY_ID = "manifest-it";

    private final String issuer;
    private final KeyPair signing;
    private final HttpsServer server;
    private final Path tokenFile;
    private final Path caFile;
    private final AtomicInteger fetches = new AtomicInteger();
    private final AtomicInteger refusals = new AtomicInteger();

    private ServiceAccountIssuer(String issuer, Path directory) throws IOException, GeneralSecurityException {
        this.issuer = issuer;
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        signing = rsa.generateKeyPair();
        tokenFile = Files.writeString(directory.resolve("token"), randomHex(32));
        caFile = directory.resolve("ca.crt");
        Path keyStore = directory.resolve("api-server.p12");
        String storePassword = randomHex(16);
        // A self-signed serving certificate, which is its own CA: the JDK's keytool makes one without a library.
        keytool("-genkeypair", "-alias", "api-server", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
                "-keystore", keyStore.toString(), "-storepass", storePassword, "-keypass", storePassword);
        keytool("-exportcert", "-rfc", "-alias", "api-server", "-keystore", keyStore.toString(), "-storepass",
                storePassword, "-file", caFile.toString());

        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            store.load(in, storePassword.toCharArray());
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, storePassword.toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(keys.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/openid/v1/jwks", this::jwks);
        server.start();
    }

    /** Serves the issuer {@code issuer} from a new loopback port, its files in {@code directory}. */
    static ServiceAccountIssuer start(String issuer, Path directory) {
        try {
            return new ServiceAccountIssuer(issuer, directory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
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
        long now = Instant.now().getEpochSecond();
        Map<String, Object> claims = Map.of("iss", issuer, "sub", identity, "aud", List.of(audience), "iat", now,
                "nbf", now, "exp", now + 3600, "jti", UUID.randomUUID().toString(),
                "kubernetes.io", Map.of("namespace", parts[2],
                        "serviceaccount", Map.of("name", parts[3], "uid", UUID.randomUUID().toString()),
                        "pod", Map.of("name", parts[3] + "-0", "uid", UUID.randomUUID().toString())));
        try {
            String signed = json(Map.of("alg", "RS256", "kid", KEY_ID)) + "." + json(claims);
            Signature rs256 = Signature.getInstance("SHA256withRSA");
            rs256.initSign(signing.getPrivate());
            rs256.update(signed.getBytes(StandardCharsets.US_ASCII));
            return signed + "." + BASE64URL.encodeToString(rs256.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
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
            RSAPublicKey key = (RSAPublicKey) signing.getPublic();
            byte[] body = JSON.writeValueAsBytes(Map.of("keys", List.of(Map.of("kty", "RSA", "use", "sig",
                    "alg", "RS256", "kid", KEY_ID, "n", unsigned(key.getModulus()), "e", unsigned(key.getPublicExponent())))));
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

    private static String json(Object value) {
        try {
            return BASE64URL.encodeToString(JSON.writeValueAsBytes(value));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A JWK integer: big-endian, without the sign byte BigInteger adds. */
    private static String unsigned(BigInteger value) {
        byte[] bytes = value.toByteArray();
        return BASE64URL.encodeToString(bytes[0] == 0 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes);
    }

    private static void keytool(String... arguments) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (process.waitFor() != 0) {
                throw new IOException("keytool failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
