package io.metricstore.store;

import java.util.Optional;

/** The role of the replica that sends a write. */
public enum RuntimeRole {
    LEADER("leader"),
    FOLLOWER("follower");

    private final String wire;

    RuntimeRole(String wire) {
        this.wire = wire;
    }

    /** The spelling used in JSON and configuration. */
    public String wire() {
        return wire;
    }

    /** Parses the wire spelling exactly (case-sensitive, as the JSON contract says). */
    public static Optional<RuntimeRole> parse(String text) {
        for (RuntimeRole role : values()) {
            if (role.wire.equals(text)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }
}
