package io.metricstore.bench.load;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * How the driver authenticates to the service it launches, and the {@code store.auth.*} properties that launch it
 * with: {@link Mode#OFF} ({@code store.auth.enabled=false}), {@link Mode#STATIC} (a tokens file holding the hash of a
 * random token) or {@link Mode#JWT} (a Kubernetes service-account token, RS256, signed by a key the driver generates
 * and publishes as a JWKS file). In both modes with a token, the token's identity is granted {@code admin}, and every
 * request of the driver carries it.
 *
 * <p>JDK only, like the rest of the driver ({@code src/bench/load.sh} compiles it with {@code javac} and no class
 * path): the token is signed with {@link Signature} and the JSON written by hand.
 */
final class Auth {

    enum Mode {
        OFF, STATIC, JWT;

        static Mode of(String name) {
            return valueOf(name.strip().toUpperCase(Locale.ROOT));
        }

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The issuer a cluster's service-account tokens usually name. */
    static final String ISSUER = "https://kubernetes.default.svc.cluster.local";
    static final String AUDIENCE = "metric-store";
    static final String STATIC_IDENTITY = "bench-driver";
    static final String JWT_IDENTITY = "system:serviceaccount:bench:load-driver";
    /** A projected token's default lifetime (expirationSeconds 3607); the kubelet renews it well before that. */
    private static final long JWT_LIFETIME_SECONDS = 3607;
    private static final long JWT_RENEW_BEFORE_SECONDS = 600;

    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private final Mode mode;
    private final Path dir;
    private String token;
    private KeyPair signing;
    private String keyId;
    private long expiresAt;

    private Auth(Mode mode, Path dir) {
        this.mode = mode;
        this.dir = dir;
    }

    /** Its files (a tokens file, or a JWKS) go to {@code dir}, written when first needed. */
    static Auth of(Mode mode, Path dir) {
        return new Auth(mode, dir);
    }

    Mode mode() {
        return mode;
    }

    /**
     * The properties to launch the service with, and the token its requests must carry ({@code null} when off). A
     * JWT is signed once and reused for every launch until it has less than ten minutes left, as a client reuses its
     * projected token.
     */
    Launch launch() throws IOException {
        switch (mode) {
            case OFF:
                return new Launch(List.of("store.auth.enabled=false"), null);
            case STATIC:
                if (token == null) {
                    token = randomHex(32);
                    Path file = Files.createDirectories(dir).resolve("tokens");
                    Files.writeString(file, "# written by the load driver\n" + STATIC_IDENTITY + " " + HexFormat.of()
                            .formatHex(sha256(token)) + "\n");
                }
                return new Launch(List.of("store.auth.enabled=true",
                        "store.auth.tokens-file=" + dir.resolve("tokens").toAbsolutePath(),
                        "store.auth.grants.admin=" + STATIC_IDENTITY), token);
            case JWT:
                if (signing == null) {
                    generateKey();
                }
                if (token == null || Instant.now().getEpochSecond() > expiresAt - JWT_RENEW_BEFORE_SECONDS) {
                    token = signJwt();
                }
                return new Launch(List.of("store.auth.enabled=true",
                        "store.auth.kubernetes.jwks=" + dir.resolve("jwks.json").toAbsolutePath(),
                        "store.auth.kubernetes.issuer=" + ISSUER,
                        "store.auth.grants.admin=" + JWT_IDENTITY), token);
            default:
                throw new IllegalStateException(mode.toString());
        }
    }

    /** {@code token} is what every request sends as {@code Authorization: Bearer}; {@code null} for none. */
    record Launch(List<String> properties, String token) {
    }

    private void generateKey() throws IOException {
        try {
            KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
            rsa.initialize(2048);
            signing = rsa.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        keyId = "bench-" + randomHex(8);
        RSAPublicKey key = (RSAPublicKey) signing.getPublic();
        Files.writeString(Files.createDirectories(dir).resolve("jwks.json"), "{\"keys\":[{\"kty\":\"RSA\",\"use\":"
                + "\"sig\",\"alg\":\"RS256\",\"kid\":\"" + keyId + "\",\"n\":\"" + unsigned(key.getModulus())
                + "\",\"e\":\"" + unsigned(key.getPublicExponent()) + "\"}]}\n");
    }

    /** Shaped as the kubelet's projected tokens: RS256 with the key id, the audience as a list, kubernetes.io. */
    private String signJwt() {
        long now = Instant.now().getEpochSecond();
        expiresAt = now + JWT_LIFETIME_SECONDS;
        String header = "{\"alg\":\"RS256\",\"kid\":\"" + keyId + "\"}";
        String claims = "{\"aud\":[\"" + AUDIENCE + "\"],\"exp\":" + expiresAt + ",\"iat\":" + now
                + ",\"iss\":\"" + ISSUER + "\",\"jti\":\"" + UUID.randomUUID() + "\",\"kubernetes.io\":{"
                + "\"namespace\":\"bench\",\"node\":{\"name\":\"bench-node\",\"uid\":\"" + UUID.randomUUID() + "\"},"
                + "\"pod\":{\"name\":\"load-driver-0\",\"uid\":\"" + UUID.randomUUID() + "\"},"
                + "\"serviceaccount\":{\"name\":\"load-driver\",\"uid\":\"" + UUID.randomUUID() + "\"}},"
                + "\"nbf\":" + now + ",\"sub\":\"" + JWT_IDENTITY + "\"}";
        String signed = base64url(header) + "." + base64url(claims);
        try {
            Signature rs256 = Signature.getInstance("SHA256withRSA");
            rs256.initSign(signing.getPrivate());
            rs256.update(signed.getBytes(StandardCharsets.US_ASCII));
            return signed + "." + BASE64URL.encodeToString(rs256.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String base64url(String json) {
        return BASE64URL.encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    /** A JWK integer: big-endian, without the sign byte {@link BigInteger} adds. */
    private static String unsigned(BigInteger value) {
        byte[] bytes = value.toByteArray();
        return BASE64URL.encodeToString(bytes[0] == 0 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes);
    }

    private static String randomHex(int bytes) {
        byte[] random = new byte[bytes];
        new SecureRandom().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
