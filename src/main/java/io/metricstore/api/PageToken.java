package io.metricstore.api;

import io.metricstore.store.StoreException;
import io.metricstore.store.model.Cursor;
import io.metricstore.store.model.SeriesId;
import io.metricstore.store.model.SnapshotPage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * The {@code next} of a page of {@code GET /series}: where the walk goes on. Opaque to clients (base64url), it carries
 * the walk's first cursor, its metric name filter and the sort key of the last series listed, so that no replica keeps
 * anything between pages and any replica serves the next one. Not a secret: a client that forges one only pages
 * through what it may read anyway.
 */
record PageToken(Cursor cursor, Optional<String> name, String key) {

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
    /** The format's version, first, so that a later format can tell tokens of this one apart. */
    private static final String VERSION = "1";
    /** Longer than any token issued: a sort key is bounded by {@code store.limits.max-series-bytes}. */
    private static final int MAX_ENCODED_LENGTH = 65_536;
    /** A generous bound on an encoded cursor (an epoch id and a sequence). */
    private static final int MAX_CURSOR_LENGTH = 128;

    /**
     * The most characters a token takes for series of up to {@code maxSeriesBytes} with up to {@code maxLabels}
     * labels: a sort key with every value byte escaped and two separators per label, a cursor, a name filter, the
     * version, separators and checksum, in base64.
     */
    static int longest(int maxSeriesBytes, int maxLabels, int maxNameLength) {
        long plain = 2L * maxSeriesBytes + 2L * maxLabels + 1 + MAX_CURSOR_LENGTH + maxNameLength + 4 + 4;
        return (int) Math.min(Integer.MAX_VALUE, (plain + 2) / 3 * 4);
    }

    static PageToken of(SnapshotPage page, Optional<String> name) {
        return new PageToken(page.cursor(), name, page.next().orElseThrow());
    }

    SnapshotPage.After after() {
        return new SnapshotPage.After(cursor, key);
    }

    /**
     * Line feeds separate the parts; only the key, last, may hold one (in a label value). A CRC-32 of them follows, so
     * that a token cut short or mistyped is refused rather than read as another position.
     */
    String encode() {
        byte[] plain = (VERSION + '\n' + cursor.encode() + '\n' + name.orElse("") + '\n' + key)
                .getBytes(StandardCharsets.UTF_8);
        return ENCODER.encodeToString(ByteBuffer.allocate(plain.length + 4).put(plain).putInt(crc(plain, plain.length))
                .array());
    }

    private static int crc(byte[] bytes, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }

    /**
     * A token as {@link #encode} wrote it, else {@link StoreException.MalformedPage}: its key must be a sort key of a
     * series of its name.
     */
    static PageToken decode(String text) {
        if (text.length() > MAX_ENCODED_LENGTH) {
            throw new StoreException.MalformedPage();
        }
        byte[] bytes;
        try {
            bytes = DECODER.decode(text);
        } catch (IllegalArgumentException notBase64) {
            throw new StoreException.MalformedPage();
        }
        int length = bytes.length - 4;
        if (length < 0 || ByteBuffer.wrap(bytes, length, 4).getInt() != crc(bytes, length)) {
            throw new StoreException.MalformedPage();
        }
        String plain = new String(bytes, 0, length, StandardCharsets.UTF_8);
        String[] parts = plain.split("\n", 4);
        if (parts.length != 4 || !parts[0].equals(VERSION)) {
            throw new StoreException.MalformedPage();
        }
        Cursor cursor = Cursor.decode(parts[1]).orElseThrow(StoreException.MalformedPage::new);
        Optional<String> name = Optional.of(parts[2]).filter(filter -> !filter.isEmpty());
        SeriesId.Parts series = SeriesId.parseSortKey(parts[3]).orElseThrow(StoreException.MalformedPage::new);
        if (name.isPresent() && !name.get().equals(series.name())) {
            throw new StoreException.MalformedPage();
        }
        return new PageToken(cursor, name, parts[3]);
    }
}
