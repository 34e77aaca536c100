package io.metricstore.auth;

import io.quarkus.security.AuthenticationFailedException;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.auth.principal.DefaultJWTTokenParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.lang.UnresolvableKeyException;

/**
 * Kubernetes service-account tokens, verified offline by SmallRye JWT's parser: signature against the issuer's
 * current key set (RS256 or ES256 only, so {@code alg: none} and HMAC tricks fail), issuer, audience, expiry,
 * not-before and issued-at, with SmallRye's default 60 s of clock skew. The identity is the {@code sub} claim,
 * {@code system:serviceaccount:<namespace>:<name>}. No request calls the API server: the key set is read by
 * {@link #refresh()}, on a timer and, at most every 30 s, when a token names a key id the set does not have.
 *
 * <p>A client sends the same projected token for up to an hour, so a verified token is remembered (by its SHA-256)
 * until its own expiry: the signature is checked once, not on every request. The memory belongs to the key set it
 * was verified against, so a key set read again without a key also forgets the tokens that key signed.
 */
public final class ServiceAccountTokens {

    private static final Logger LOG = Logger.getLogger(ServiceAccountTokens.class);
    private static final long UNKNOWN_KEY_REFRESH_NANOS = 30_000_000_000L;
    private static final Pattern SERVICE_ACCOUNT = Pattern.compile("system:serviceaccount:[^:\\s]+:[^:\\s]+");

    /** Tokens remembered per key set at most; beyond, the memory starts over (a flood of one-off tokens). */
    private static final int REMEMBERED = 10_000;

    /**
     * One key set, the parser built for it and the tokens verified with it.
     */
    private record Verifier(String jwks, JWTAuthContextInfo context, DefaultJWTTokenParser parser,
                            Map<ByteBuffer, Verified> verified) {
    }

    /** A token verified before: its identity, until its expiry. */
    private record Verified(String identity, long expiresAtMillis) {
    }

    private final Jwks jwks;
    private final String issuer;
    private final String audience;
    private volatile Verifier verifier;
    private final AtomicLong lastUnknownKeyRefresh = new AtomicLong(System.nanoTime() - UNKNOWN_KEY_REFRESH_NANOS);

    ServiceAccountTokens(Jwks jwks, String issuer, String audience) {
        this.jwks = jwks;
        this.issuer = issuer;
        this.audience = audience;
    }

    /** Reads the key set again; keeps the one in use when that fails. Returns whether a key set is loaded. */
    synchronized boolean refresh() {
        try {
            String json = jwks.read();
            Verifier current = verifier;
            if (current == null || !current.jwks().equals(json)) {
                verifier = verifier(json);
                LOG.infof("read the service-account issuer's keys from %s", jwks.location());
            }
        } catch (IOException | RuntimeException e) {
            LOG.errorf("could not read the service-account issuer's keys from %s (store.auth.kubernetes.jwks): %s%s",
                    jwks.location(), e.getMessage(), verifier == null ? "; Kubernetes tokens are refused until it works"
                            : "; the keys read before stay in use");
        }
        return verifier != null;
    }

    private Verifier verifier(String json) {
        JWTAuthContextInfo context = new JWTAuthContextInfo();
        context.setPublicKeyContent(json);
        context.setIssuedBy(issuer);
        context.setExpectedAudience(Set.of(audience));
        context.setSignatureAlgorithm(Set.of(SignatureAlgorithm.RS256, SignatureAlgorithm.ES256));
        return new Verifier(json, context, new DefaultJWTTokenParser(), new ConcurrentHashMap<>());
    }

    /** The token's identity; throws {@link AuthenticationFailedException} saying why it is refused. */
    String identityOf(String token, byte[] sha256, Runnable refreshSoon) {
        Verifier current = verifier;
        if (current == null) {
            throw new AuthenticationFailedException("the service-account issuer's keys are not loaded yet "
                    + "(store.auth.kubernetes.jwks); try again shortly");
        }
        ByteBuffer key = ByteBuffer.wrap(sha256);
        Verified known = current.verified().get(key);
        if (known != null && known.expiresAtMillis() > System.currentTimeMillis()) {
            return known.identity();
        }
        try {
            JwtClaims claims = current.parser().parse(token, current.context()).getJwtClaims();
            String subject = claims.getSubject();
            if (subject == null || !SERVICE_ACCOUNT.matcher(subject).matches()) {
                // Only service accounts come from this source, so it never names a static token's identity.
                throw new AuthenticationFailedException("the token's subject is not a service account "
                        + "(system:serviceaccount:<namespace>:<name>)");
            }
            if (current.verified().size() >= REMEMBERED) {
                current.verified().clear();
            }
            long expires = claims.getExpirationTime().getValue();
            current.verified().put(key, new Verified(subject,
                    expires > Long.MAX_VALUE / 1000 ? Long.MAX_VALUE : expires * 1000));
            return subject;
        } catch (ParseException e) {
            if (unknownKey(e)) {
                long now = System.nanoTime();
                long last = lastUnknownKeyRefresh.get();
                if (now - last >= UNKNOWN_KEY_REFRESH_NANOS && lastUnknownKeyRefresh.compareAndSet(last, now)) {
                    refreshSoon.run();
                }
            }
            throw new AuthenticationFailedException(reason(e));
        } catch (MalformedClaimException e) {
            throw new AuthenticationFailedException("the token's subject or expiry is malformed");
        }
    }

    private static boolean unknownKey(ParseException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof UnresolvableKeyException) {
                return true;
            }
        }
        return false;
    }

    /** Why, in words a client can act on; never the token or its claims. */
    static String reason(ParseException e) {
        InvalidJwtException invalid = null;
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof InvalidJwtException jwt) {
                invalid = jwt;
                break;
            }
        }
        if (unknownKey(e)) {
            return "the token is signed with a key the service-account issuer does not publish";
        }
        if (invalid == null) {
            return "the token is not a valid signed JWT";
        }
        if (invalid.hasExpired()) {
            return "the token has expired";
        }
        if (invalid.hasErrorCode(ErrorCodes.NOT_YET_VALID)) {
            return "the token is not valid yet (nbf)";
        }
        if (invalid.hasErrorCode(ErrorCodes.AUDIENCE_INVALID) || invalid.hasErrorCode(ErrorCodes.AUDIENCE_MISSING)) {
            return "the token is not meant for this service (aud)";
        }
        if (invalid.hasErrorCode(ErrorCodes.ISSUER_INVALID) || invalid.hasErrorCode(ErrorCodes.ISSUER_MISSING)) {
            return "the token comes from another issuer (iss)";
        }
        if (invalid.hasErrorCode(ErrorCodes.SIGNATURE_INVALID)) {
            return "the token's signature does not verify";
        }
        if (invalid.hasErrorCode(ErrorCodes.SIGNATURE_MISSING)) {
            return "the token is not signed";
        }
        return "the token is not a valid signed JWT";
    }
}
