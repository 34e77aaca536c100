package io.metricstore.auth;

import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Gives each authenticated identity the roles {@code store.auth.grants.<role>} name it in; {@code admin} implies
 * every other role. With authentication off, every caller — with or without credentials — becomes
 * {@link Roles#ANONYMOUS} holding every role, so the same {@code @RolesAllowed} annotations let everything through.
 */
@ApplicationScoped
public class Grants implements SecurityIdentityAugmentor {

    private final boolean enabled;
    private final Map<String, Set<String>> rolesByIdentity;
    private final SecurityIdentity everything;

    public Grants(AuthConfig config) {
        this.enabled = config.enabled();
        this.rolesByIdentity = rolesByIdentity(config.grants());
        this.everything = QuarkusSecurityIdentity.builder().setPrincipal(new QuarkusPrincipal(Roles.ANONYMOUS))
                .addRoles(Roles.ALL).setAnonymous(false).build();
    }

    static Map<String, Set<String>> rolesByIdentity(Map<String, List<String>> grants) {
        Map<String, Set<String>> roles = new HashMap<>();
        grants.forEach((role, identities) -> identities.stream().map(String::strip).filter(id -> !id.isEmpty())
                .forEach(id -> roles.computeIfAbsent(id, k -> new HashSet<>())
                        .addAll(Roles.ADMIN.equals(role) ? Roles.ALL : Set.of(role))));
        return Map.copyOf(roles);
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (!enabled) {
            return Uni.createFrom().item(everything);
        }
        if (identity.isAnonymous()) {
            return Uni.createFrom().item(identity);
        }
        Set<String> roles = rolesByIdentity.get(identity.getPrincipal().getName());
        if (roles == null) {
            return Uni.createFrom().item(identity);
        }
        return Uni.createFrom().item(QuarkusSecurityIdentity.builder(identity).addRoles(roles).build());
    }
}
