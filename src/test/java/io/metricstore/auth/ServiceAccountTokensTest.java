package io.metricstore.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.security.AuthenticationFailedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Service-account tokens are verified offline against the issuer's key set: every way a token can be wrong. */
class ServiceAccountTokensTest {

    @TempDir
    Path dir;

    private final Issuer issuer = new Issuer();
    private final AtomicInteger refreshes = new AtomicInteger();
    private ServiceAccountTokens tokens;
    private Path jwks;

    @BeforeEach
    void loadTheKeySet() throws IOException {
        jwks = Files.writeString(dir.resolve("jwks.json"), issuer.jwks());
        tokens = new ServiceAccountTokens(Jwks.of(jwks.toString(), Optional.empty(), Optional.empty()), Issuer.ISSUER,
                Issuer.AUDIENCE);
        assertThat(tokens.refresh()).isTrue();
    }

    private String identity(String token) {
        return tokens.identityOf(token, StaticTokens.sha256(token), refreshes::incrementAndGet);
    }

    private void refused(String token, String reason) {
        assertThatThrownBy(() -> identity(token)).isInstanceOf(AuthenticationFailedException.class)
                .hasMessage(reason);
    }

    @Test
    void aValidTokenNamesItsServiceAccount() {
        assertThat(identity(issuer.token("apps", "exporter"))).isEqualTo("system:serviceaccount:apps:exporter");
    }

    @Test
    void anExpiredTokenIsRefused() {
        JwtClaims claims = Issuer.claims("apps", "exporter");
        long now = Instant.now().getEpochSecond();
        claims.setIssuedAt(NumericDate.fromSeconds(now - 1200));
        claims.setNotBefore(NumericDate.fromSeconds(now - 1200));
        claims.setExpirationTime(NumericDate.fromSeconds(now - 600));
        refused(issuer.sign(claims), "the token has expired");
    }

    @Test
    void aTokenNotValidYetIsRefused() {
        JwtClaims claims = Issuer.claims("apps", "exporter");
        claims.setNotBefore(NumericDate.fromSeconds(Instant.now().getEpochSecond() + 600));
        refused(issuer.sign(claims), "the token is not valid yet (nbf)");
    }

    @Test
    void aTokenForAnotherAudienceIsRefused() {
        JwtClaims claims = Issuer.claims("apps", "exporter");
        claims.setAudience("https://kubernetes.default.svc.cluster.local");
        refused(issuer.sign(claims), "the token is not meant for this service (aud)");
    }

    @Test
    void aTokenFromAnotherIssuerIsRefused() {
        JwtClaims claims = Issuer.claims("apps", "exporter");
        claims.setIssuer("https://elsewhere.example");
        refused(issuer.sign(claims), "the token comes from another issuer (iss)");
    }

    @Test
    void aForgedSignatureIsRefused() {
        refused(issuer.forged(Issuer.claims("apps", "exporter")), "the token's signature does not verify");
    }

    @Test
    void anUnsignedTokenIsRefused() {
        assertThatThrownBy(() -> identity(Issuer.unsigned(Issuer.claims("apps", "exporter"))))
                .isInstanceOf(AuthenticationFailedException.class);
    }

    @Test
    void aSubjectThatIsNotAServiceAccountIsRefused() {
        for (String subject : new String[] {"admin-bot", "system:serviceaccount:apps", "system:serviceaccount::x",
                "system:serviceaccount:a:b:c"}) {
            JwtClaims claims = Issuer.claims("apps", "exporter");
            claims.setSubject(subject);
            refused(issuer.sign(claims), "the token's subject is not a service account "
                    + "(system:serviceaccount:<namespace>:<name>)");
        }
    }

    @Test
    void anExpiryBeyondMillisecondsIsStillAnExpiry() {
        JwtClaims claims = Issuer.claims("apps", "exporter");
        claims.setExpirationTime(NumericDate.fromSeconds(Long.MAX_VALUE / 100));
        assertThat(identity(issuer.sign(claims))).isEqualTo("system:serviceaccount:apps:exporter");
    }

    @Test
    void garbageIsRefused() {
        refused("a.b.c", "the token is not a valid signed JWT");
    }

    @Test
    void anUnknownKeyAsksForTheKeySetAgainAtMostOnceIn30Seconds() {
        String token = issuer.signedWithUnknownKey(Issuer.claims("apps", "exporter"));
        refused(token, "the token is signed with a key the service-account issuer does not publish");
        refused(token, "the token is signed with a key the service-account issuer does not publish");
        assertThat(refreshes).hasValue(1);
    }

    @Test
    void aRotatedKeySetIsUsedOnceReadAgain() throws IOException {
        Issuer rotated = new Issuer();
        Files.writeString(jwks, rotated.jwks());
        String token = rotated.token("apps", "exporter");
        assertThatThrownBy(() -> identity(token)).isInstanceOf(AuthenticationFailedException.class);
        assertThat(tokens.refresh()).isTrue();
        assertThat(identity(token)).isEqualTo("system:serviceaccount:apps:exporter");
    }

    @Test
    void aVerifiedTokenIsRememberedUntilTheKeySetChanges() throws IOException {
        String token = issuer.token("apps", "exporter");
        assertThat(identity(token)).isEqualTo("system:serviceaccount:apps:exporter");
        // The issuer drops the key that signed it: until the key set is read again, the token is still known...
        Files.writeString(jwks, new Issuer().jwks());
        assertThat(identity(token)).isEqualTo("system:serviceaccount:apps:exporter");
        // ...and once it is, the token is verified again, and refused.
        assertThat(tokens.refresh()).isTrue();
        assertThatThrownBy(() -> identity(token)).isInstanceOf(AuthenticationFailedException.class);
    }

    @Test
    void aKeySetThatCannotBeReadKeepsTheOneInUse() throws IOException {
        Files.writeString(jwks, "not json");
        assertThat(tokens.refresh()).isTrue();
        assertThat(identity(issuer.token("apps", "exporter"))).isEqualTo("system:serviceaccount:apps:exporter");
    }
}
