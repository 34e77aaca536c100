package io.metricstore.api;

import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Refuses, first of all handlers, a request whose URI is not a valid, percent-encoded UTF-8 URI (a broken {@code %}
 * escape, an escape that is not UTF-8, or a raw character outside printable ASCII, as a pasted placeholder brings)
 * with a problem document that says how to send it. It stands in for Quarkus' own URI check, which answers such
 * requests with an empty 400 and is switched off by {@code MetricStoreApplication}; where that check is still on (a
 * JVM started without the application's main), those requests never get here and keep the empty 400.
 */
@Singleton
public class UriCheck {

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(context -> {
            String uri = context.request().uri();
            if (valid(uri)) {
                context.next();
                return;
            }
            Problem problem = Problem.of(ProblemType.MALFORMED_URI, "the URI is not percent-encoded UTF-8: send "
                    + "every character outside ASCII letters, digits and -._~ as %XX escapes of its UTF-8 bytes "
                    + "(curl -G --data-urlencode \"since=$cursor\"), and pass a cursor exactly as the service "
                    + "returned it", path(uri));
            context.response().setStatusCode(problem.status())
                    .putHeader("Content-Type", Problem.MEDIA_TYPE)
                    .end(Json.encode(problem));
        });
    }

    private static String path(String uri) {
        int query = uri.indexOf('?');
        return query < 0 ? uri : uri.substring(0, query);
    }

    /** What Quarkus' check accepts ({@link URI} parses it), without raw non-ASCII, and with UTF-8 escapes. */
    static boolean valid(String uri) {
        try {
            new URI(uri);
        } catch (URISyntaxException e) {
            return false;
        }
        boolean escapedNonAscii = false;
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return false;
            }
            // URI has checked that two hex digits follow every %; an escape of 0x80 or above starts a UTF-8 sequence.
            escapedNonAscii |= c == '%' && Character.digit(uri.charAt(i + 1), 16) >= 8;
        }
        return !escapedNonAscii || utf8Escapes(uri);
    }

    /** Whether the bytes the URI spells (its escapes decoded) are UTF-8; only URIs with such escapes get here. */
    private static boolean utf8Escapes(String uri) {
        ByteBuffer bytes = ByteBuffer.allocate(uri.length());
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '%') {
                bytes.put((byte) Integer.parseInt(uri, i + 1, i + 3, 16));
                i += 2;
            } else {
                bytes.put((byte) c);
            }
        }
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes.flip());
            return true;
        } catch (CharacterCodingException notUtf8) {
            return false;
        }
    }
}
