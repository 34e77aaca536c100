package io.metricstore.auth;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwt.JwtClaims;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What identifying the caller of one request costs, without HTTP: a static token looked up in a one-line tokens file
 * ({@link StaticTokens#identityOf}: SHA-256 and a constant-time compare), a Kubernetes service-account token as the
 * service identifies it ({@link ServiceAccountTokens#identityOf}: verified by SmallRye JWT's parser on its first call,
 * RS256 against a 2048-bit key from a JWKS file, then issuer, audience and times, and remembered after that; the
 * token shaped as the kubelet's), and the RS256 signature check alone ({@link Signature}), the cost of a first
 * verification; and a sketch of a map of verified tokens, for comparison. In package {@code io.metricstore.auth} to
 * reach the classes the service uses, and built with the tests' {@link Issuer}.
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TokenBenchmark {

    private Path dir;
    private StaticTokens staticTokens;
    private String staticToken;
    private ServiceAccountTokens serviceAccounts;
    private String jwt;
    private PublicKey publicKey;
    private final ConcurrentHashMap<String, Verified> verified = new ConcurrentHashMap<>();

    /** What a cache of verified tokens would keep per token (not the service's code: a sketch of issue 13's idea). */
    private record Verified(String identity, long expiresAtSeconds) {
    }
    private byte[] signingInput;
    private byte[] signature;

    @Setup(Level.Trial)
    public void open() throws Exception {
        dir = Files.createTempDirectory("metric-store-bench-auth-");
        staticToken = HexFormat.of().formatHex(StaticTokens.sha256("bench-" + System.nanoTime()));
        Path tokensFile = Files.writeString(dir.resolve("tokens"), "bench " + HexFormat.of().formatHex(
                StaticTokens.sha256(staticToken)) + "\n");
        staticTokens = StaticTokens.read(tokensFile);

        Issuer issuer = new Issuer();
        Path jwks = Files.writeString(dir.resolve("jwks.json"), issuer.jwks());
        serviceAccounts = new ServiceAccountTokens(Jwks.of(jwks.toString(), Optional.empty(), Optional.empty()),
                Issuer.ISSUER, Issuer.AUDIENCE);
        if (!serviceAccounts.refresh()) {
            throw new IllegalStateException("the key set did not load");
        }
        // Shaped as the kubelet's projected tokens (and the load driver's): a jti and the kubernetes.io claims.
        JwtClaims claims = Issuer.claims("bench", "load-driver");
        claims.setJwtId(UUID.randomUUID().toString());
        claims.setClaim("kubernetes.io", Map.of("namespace", "bench",
                "node", Map.of("name", "bench-node", "uid", UUID.randomUUID().toString()),
                "pod", Map.of("name", "load-driver-0", "uid", UUID.randomUUID().toString()),
                "serviceaccount", Map.of("name", "load-driver", "uid", UUID.randomUUID().toString())));
        jwt = issuer.sign(claims);
        int lastDot = jwt.lastIndexOf('.');
        signingInput = jwt.substring(0, lastDot).getBytes(StandardCharsets.US_ASCII);
        signature = Base64.getUrlDecoder().decode(jwt.substring(lastDot + 1));
        publicKey = (PublicKey) new JsonWebKeySet(issuer.jwks()).getJsonWebKeys().get(0).getKey();
        verified.put(jwt, new Verified(serviceAccountToken(), claims.getExpirationTime().getValue()));
        if (staticTokens.identityOf(StaticTokens.sha256(staticToken)).isEmpty() || !serviceAccountToken().equals(
                "system:serviceaccount:bench:load-driver") || !rs256SignatureOnly()) {
            throw new IllegalStateException("a token was refused");
        }
    }

    @Benchmark
    public Optional<String> staticToken() {
        return staticTokens.identityOf(StaticTokens.sha256(staticToken));
    }

    @Benchmark
    public String serviceAccountToken() {
        return serviceAccounts.identityOf(jwt, StaticTokens.sha256(jwt), () -> { });
    }

    @Benchmark
    public boolean rs256SignatureOnly() throws Exception {
        Signature rs256 = Signature.getInstance("SHA256withRSA");
        rs256.initVerify(publicKey);
        rs256.update(signingInput);
        return rs256.verify(signature);
    }

    /**
     * A hit in a cache of verified tokens, as a request would make it: the header's token is a new string each time
     * (so its hash is computed again), found by equality, then its expiry checked against the clock.
     */
    @Benchmark
    public String verifiedTokenCacheHit() {
        Verified hit = verified.get(new String(jwt.toCharArray()));
        return hit != null && hit.expiresAtSeconds() > System.currentTimeMillis() / 1000 ? hit.identity() : null;
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }
}
