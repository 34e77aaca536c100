package io.metricstore.auth;

import io.quarkus.security.identity.SecurityIdentity;
import org.jboss.logging.Logger;

/**
 * The audit log: one line per refused authentication or authorisation, per admin call and per lock action that
 * changed a holder, on the category {@code io.metricstore.audit} (so it can be routed or silenced on its own), as
 * {@code key=value} pairs. Never a token: identities, actions, keys and outcomes only.
 */
public final class Audit {

    private static final Logger LOG = Logger.getLogger("io.metricstore.audit");

    private Audit() {
    }

    /** The caller's identity as the audit log and lock ownership name it. */
    public static String caller(SecurityIdentity identity) {
        return identity == null || identity.isAnonymous() ? Roles.ANONYMOUS : identity.getPrincipal().getName();
    }

    public static void record(String identity, String action, String key, String outcome) {
        LOG.infof("identity=%s action=%s key=%s outcome=%s", quoted(identity), action, quoted(key), outcome);
    }

    public static void refused(String identity, String action, String key, String reason) {
        LOG.infof("identity=%s action=%s key=%s outcome=refused reason=%s", quoted(identity), action, quoted(key),
                quoted(reason));
    }

    /** Values in double quotes when they hold spaces, quotes or '=', so each line splits unambiguously. */
    static String quoted(String value) {
        if (value == null || value.isEmpty()) {
            return "-";
        }
        boolean plain = value.chars().allMatch(c -> c > ' ' && c != '"' && c != '=' && c != '\\' && c < 0x7f);
        return plain ? value : '"' + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")
                .replace("\r", "\\r") + '"';
    }
}
