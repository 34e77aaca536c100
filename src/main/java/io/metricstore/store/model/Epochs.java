package io.metricstore.store.model;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Store epochs: a random id per store state, so that cursors of an earlier state are recognised as expired. */
public final class Epochs {

    private static final SecureRandom RANDOM = new SecureRandom();

    private Epochs() {
    }

    /** 16 hex digits. */
    public static String next() {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
