package io.metricstore.store;

import io.metricstore.store.model.WireName;

/** The state of one of a backend's circuit breakers ({@link Breaker}), as readiness and telemetry show it. */
public enum CircuitState implements WireName {
    CLOSED("closed", 0),
    HALF_OPEN("half_open", 1),
    OPEN("open", 2);

    private final String wire;
    private final int gauge;

    CircuitState(String wire, int gauge) {
        this.wire = wire;
        this.gauge = gauge;
    }

    @Override
    public String wire() {
        return wire;
    }

    /** The value of the {@code store_circuit_state} gauge. */
    public int gauge() {
        return gauge;
    }
}
