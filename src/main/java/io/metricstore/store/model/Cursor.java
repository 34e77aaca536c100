package io.metricstore.store.model;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * A position in the change feed of one store epoch. On the wire it is an opaque string: clients must not build or
 * compare cursors, only hand back what they were given, so the encoding can change without breaking them.
 */
public record Cursor(String epoch, long sequence) {

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
    private static final int MAX_ENCODED_LENGTH = 128;

    public Cursor {
        if (epoch.isEmpty() || epoch.indexOf(':') >= 0 || sequence < 0) {
            throw new IllegalArgumentException("invalid cursor " + epoch + ":" + sequence);
        }
    }

    public String encode() {
        return ENCODER.encodeToString((epoch + ':' + sequence).getBytes(StandardCharsets.UTF_8));
    }

    /** Decodes a cursor string; empty for anything this service could not have produced. */
    public static Optional<Cursor> decode(String text) {
        if (text == null || text.isEmpty() || text.length() > MAX_ENCODED_LENGTH) {
            return Optional.empty();
        }
        String plain;
        try {
            plain = new String(DECODER.decode(text), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException notBase64) {
            return Optional.empty();
        }
        int colon = plain.lastIndexOf(':');
        if (colon <= 0) {
            return Optional.empty();
        }
        String sequence = plain.substring(colon + 1);
        if (sequence.isEmpty() || sequence.length() > 18 || !sequence.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return Optional.empty();
        }
        String epoch = plain.substring(0, colon);
        if (epoch.indexOf(':') >= 0) {
            return Optional.empty();
        }
        return Optional.of(new Cursor(epoch, Long.parseLong(sequence)));
    }

    @Override
    public String toString() {
        return encode();
    }
}
