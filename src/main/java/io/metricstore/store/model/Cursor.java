package io.metricstore.store.model;

import io.metricstore.store.StoreException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

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

    /** Decodes a cursor string, refusing anything this service could not have produced. */
    public static Cursor decode(String text) {
        if (text == null || text.isEmpty() || text.length() > MAX_ENCODED_LENGTH) {
            throw new StoreException.MalformedCursor();
        }
        try {
            String plain = new String(DECODER.decode(text), StandardCharsets.UTF_8);
            int colon = plain.lastIndexOf(':');
            if (colon <= 0) {
                throw new StoreException.MalformedCursor();
            }
            String sequence = plain.substring(colon + 1);
            if (sequence.isEmpty() || !sequence.chars().allMatch(Character::isDigit) || sequence.length() > 18) {
                throw new StoreException.MalformedCursor();
            }
            return new Cursor(plain.substring(0, colon), Long.parseLong(sequence));
        } catch (IllegalArgumentException e) {
            throw new StoreException.MalformedCursor();
        }
    }

    @Override
    public String toString() {
        return encode();
    }
}
