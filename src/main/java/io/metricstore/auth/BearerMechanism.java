package io.metricstore.auth;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.credential.TokenCredential;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;

/**
 * Reads {@code Authorization: Bearer <token>} and hands the token to {@link BearerIdentityProvider}; asks for one
 * with {@code WWW-Authenticate: Bearer} (RFC 6750). With authentication off it reads nothing: every caller is then
 * anonymous and {@link Grants} gives it every role.
 *
 * <p>Ours rather than SmallRye JWT's mechanism, whose validator would claim every bearer token for its own key
 * configuration: here one token may be a static token or a service-account JWT.
 */
@ApplicationScoped
public class BearerMechanism implements HttpAuthenticationMechanism {

    private static final String SCHEME = "Bearer";
    private static final ChallengeData CHALLENGE = new ChallengeData(401, "WWW-Authenticate",
            SCHEME + " realm=\"metric-store\"");

    private final boolean enabled;

    public BearerMechanism(AuthConfig config) {
        this.enabled = config.enabled();
    }

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identityProviderManager) {
        String header = enabled ? context.request().getHeader(HttpHeaders.AUTHORIZATION) : null;
        if (header == null || !header.regionMatches(true, 0, SCHEME + " ", 0, SCHEME.length() + 1)) {
            return Uni.createFrom().nullItem();
        }
        String token = header.substring(SCHEME.length() + 1).strip();
        if (token.isEmpty()) {
            return Uni.createFrom().failure(new AuthenticationFailedException("the bearer token is empty"));
        }
        return identityProviderManager.authenticate(HttpSecurityUtils.setRoutingContextAttribute(
                new TokenAuthenticationRequest(new TokenCredential(token, "bearer")), context));
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(CHALLENGE);
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(TokenAuthenticationRequest.class);
    }

    @Override
    public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
        return Uni.createFrom().item(new HttpCredentialTransport(HttpCredentialTransport.Type.AUTHORIZATION,
                SCHEME.toLowerCase()));
    }
}
