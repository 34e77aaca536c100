package io.metricstore.auth;

import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * A role checked inside an endpoint instead of by {@code @RolesAllowed}, where SPEC §2 pins that the body's own errors
 * come first ({@code POST /points}: 400 before 401/403). Touching the identity is what authenticates the caller
 * (authentication is not proactive), so this runs only once the body has been checked.
 */
public final class RoleCheck {

    private RoleCheck() {
    }

    /**
     * The caller's identity, if it holds {@code role} ({@code admin} holds every role, see {@link Grants}).
     *
     * @throws UnauthorizedException when the caller is not authenticated (401)
     * @throws MissingRole when it lacks the role (403, naming it)
     */
    public static String require(SecurityIdentity identity, String role) {
        if (identity.hasRole(role)) {
            return Audit.caller(identity);
        }
        if (identity.isAnonymous()) {
            throw new UnauthorizedException();
        }
        throw new MissingRole(role);
    }

    /** An authenticated caller without the role an endpoint needs. */
    public static final class MissingRole extends ForbiddenException {
        private final String role;

        MissingRole(String role) {
            super("needs the role '" + role + "'");
            this.role = role;
        }

        public String role() {
            return role;
        }
    }
}
