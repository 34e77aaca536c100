package io.metricstore.auth;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.lang.JoseException;

/**
 * A service-account issuer for the tests: a freshly generated RSA key whose public half is published as a JWKS, and
 * tokens really signed with it (or, to be refused, with another key, with none, or with claims that are wrong).
 */
public final class Issuer {

    public static final String ISSUER = "https://kubernetes.default.svc.cluster.local";
    public static final String AUDIENCE = "metric-store";

    private final RsaJsonWebKey key;

    public Issuer() {
        this.key = rsaKey("key-" + UUID.randomUUID());
    }

    private static RsaJsonWebKey rsaKey(String kid) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            RsaJsonWebKey jwk = new RsaJsonWebKey((java.security.interfaces.RSAPublicKey) pair.getPublic());
            jwk.setPrivateKey(pair.getPrivate());
            jwk.setKeyId(kid);
            jwk.setAlgorithm(AlgorithmIdentifiers.RSA_USING_SHA256);
            jwk.setUse("sig");
            return jwk;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The key set a cluster publishes at /openid/v1/jwks: public keys only. */
    public String jwks() {
        return new JsonWebKeySet(key).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
    }

    /** Claims of a projected service-account token, valid for ten minutes from now. */
    public static JwtClaims claims(String namespace, String name) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(ISSUER);
        claims.setAudience(AUDIENCE);
        claims.setSubject("system:serviceaccount:" + namespace + ":" + name);
        Instant now = Instant.now();
        claims.setIssuedAt(NumericDate.fromSeconds(now.getEpochSecond()));
        claims.setNotBefore(NumericDate.fromSeconds(now.getEpochSecond()));
        claims.setExpirationTime(NumericDate.fromSeconds(now.plus(Duration.ofMinutes(10)).getEpochSecond()));
        return claims;
    }

    public String token(String namespace, String name) {
        return sign(claims(namespace, name));
    }

    public String sign(JwtClaims claims) {
        return sign(claims, key, key.getKeyId(), AlgorithmIdentifiers.RSA_USING_SHA256);
    }

    /** Signed with another key that claims this issuer's key id. */
    public String forged(JwtClaims claims) {
        return sign(claims, rsaKey(key.getKeyId()), key.getKeyId(), AlgorithmIdentifiers.RSA_USING_SHA256);
    }

    /** Signed with a key this issuer does not publish. */
    public String signedWithUnknownKey(JwtClaims claims) {
        RsaJsonWebKey other = rsaKey("other-" + UUID.randomUUID());
        return sign(claims, other, other.getKeyId(), AlgorithmIdentifiers.RSA_USING_SHA256);
    }

    /** {@code alg: none}: no signature at all. */
    public static String unsigned(JwtClaims claims) {
        try {
            JsonWebSignature jws = new JsonWebSignature();
            jws.setPayload(claims.toJson());
            jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.NONE);
            jws.setAlgorithmConstraints(AlgorithmConstraints.NO_CONSTRAINTS);
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sign(JwtClaims claims, RsaJsonWebKey with, String kid, String algorithm) {
        try {
            JsonWebSignature jws = new JsonWebSignature();
            jws.setPayload(claims.toJson());
            jws.setKey(with.getPrivateKey());
            jws.setKeyIdHeaderValue(kid);
            jws.setAlgorithmHeaderValue(algorithm);
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }
}
