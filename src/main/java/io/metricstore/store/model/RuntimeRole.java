package io.metricstore.store.model;

import java.util.Optional;

/** The role of the replica that sends a write. */
public enum RuntimeRole implements WireName {
    LEADER("leader"),
    FOLLOWER("follower");

    private final String wire;

    RuntimeRole(String wire) {
        this.wire = wire;
    }

    @Override
    public String wire() {
        return wire;
    }

    public static Optional<RuntimeRole> parse(String text) {
        return WireName.parse(values(), text);
    }
}
