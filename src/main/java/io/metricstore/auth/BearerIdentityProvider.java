package io.metricstore.auth;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/**
 * Turns the bearer token that {@link BearerMechanism} read into an identity: a static token first (a hash lookup),
 * then a Kubernetes service-account token; anything else is refused. Roles are added afterwards by {@link Grants}.
 */
@ApplicationScoped
public class BearerIdentityProvider implements IdentityProvider<TokenAuthenticationRequest> {

    private final AuthStartup sources;

    public BearerIdentityProvider(AuthStartup sources) {
        this.sources = sources;
    }

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request, AuthenticationRequestContext context) {
        return Uni.createFrom().item(() -> identity(request.getToken().getToken()));
    }

    private SecurityIdentity identity(String token) {
        // Hashed once: the static tokens are looked up by it, and the verified service-account tokens remembered by it.
        byte[] sha256 = StaticTokens.sha256(token);
        Optional<String> known = sources.staticTokens().flatMap(tokens -> tokens.identityOf(sha256));
        if (known.isPresent()) {
            return named(known.get());
        }
        if (sources.serviceAccounts().isPresent() && token.chars().filter(c -> c == '.').count() == 2) {
            return named(sources.serviceAccounts().get().identityOf(token, sha256, sources::refreshSoon));
        }
        throw new AuthenticationFailedException(sources.serviceAccounts().isPresent()
                ? "the bearer token is neither a known static token nor a signed JWT"
                : "the bearer token is not known");
    }

    private static SecurityIdentity named(String identity) {
        return QuarkusSecurityIdentity.builder().setPrincipal(new QuarkusPrincipal(identity)).build();
    }
}
