package io.metricstore.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.metricstore.store.StoreException;
import io.metricstore.store.model.Cursor;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/** The page token: what it carries survives the trip, and nothing this service did not issue is taken. */
class PageTokenTest {

    private static final Cursor CURSOR = new Cursor("epoch-1", 42);

    @Test
    void aTokenCarriesItsWalk() {
        for (PageToken token : List.of(new PageToken(CURSOR, Optional.empty(), "m\u0000"),
                new PageToken(CURSOR, Optional.of("m"), "m\u0000a\u0000line\nbreak \u0001\u0001\u00e9\ud83d\ude00\u0000"))) {
            String text = token.encode();
            assertThat(text).matches("[A-Za-z0-9_-]+");
            assertThat(PageToken.decode(text)).isEqualTo(token);
        }
    }

    @Test
    void anythingElseIsMalformed() {
        String good = new PageToken(CURSOR, Optional.of("m"), "m\u0000a\u00001\u0000").encode();
        for (String bad : List.of("", "not-a-token", "!!", good + "x", good.substring(0, good.length() / 2),
                new PageToken(CURSOR, Optional.of("other"), "m\u0000").encode(), encode("2\n" + CURSOR + "\n\nm\u0000"),
                encode("1\nnot-a-cursor\n\nm\u0000"), encode("1\n" + CURSOR + "\n\nm\u0000a\u0000"),
                encode("1\n" + CURSOR + "\nm"), "A".repeat(70_000), flipped(good))) {
            assertThatThrownBy(() -> PageToken.decode(bad)).as(bad).isInstanceOf(StoreException.MalformedPage.class);
        }
    }

    /** {@code token} with one character of its middle changed. */
    private static String flipped(String token) {
        int middle = token.length() / 2;
        return token.substring(0, middle) + (token.charAt(middle) == 'Q' ? 'R' : 'Q') + token.substring(middle + 1);
    }

    /** {@code plain} with a right checksum, as {@link PageToken#encode} writes it. */
    private static String encode(String plain) {
        byte[] bytes = plain.getBytes(StandardCharsets.UTF_8);
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(ByteBuffer.allocate(bytes.length + 4).put(bytes)
                .putInt((int) crc.getValue()).array());
    }
}
