package io.metricstore.limits;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * Random requests to every endpoint: JSON of random shapes (and valid batches with one part broken), random sizes,
 * encodings (UTF-8, UTF-16, invalid bytes, gzip, chunked framing), headers and methods. Seeded, so that a failure
 * names the seed that repeats it.
 */
final class Fuzz {

    private static final List<String> PATHS = List.of("/api/v1/points", "/api/v1/series", "/api/v1/cursor",
            "/api/v1/changes", "/api/v1/locks/job/fuzz", "/api/v1/locks/dedup/fuzz",
            "/api/v1/leases/fuzz", "/api/v1/admin/gc", "/metrics", "/api/v1", "/", "/q/openapi", "/nowhere");
    private static final List<String> METHODS = List.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS");
    private static final List<String> CONTENT_TYPES = List.of("application/json", "application/json; charset=utf-8",
            "application/json; charset=utf-16", "application/json; charset=nonsense", "text/plain",
            "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/problem+json",
            "*/*", "application/json;;;", "");
    private static final List<String> ACCEPTS = List.of("*/*", "application/json", "text/plain",
            "application/openmetrics-text; version=1.0.0", "text/event-stream", "application/xml", "garbage/;q=x");

    private final Random random;
    private final String bearer;

    Fuzz(long seed, String bearer) {
        this.random = new Random(seed);
        this.bearer = bearer;
    }

    /** The next random request, whole. */
    byte[] next() {
        String method = random.nextInt(10) < 7 ? (random.nextBoolean() ? "POST" : "GET") : pick(METHODS);
        String target = target();
        StringBuilder headers = new StringBuilder();
        int auth = random.nextInt(10);
        if (auth < 7) {
            headers.append("Authorization: ").append(bearer).append("\r\n");
        } else if (auth < 9) {
            headers.append("Authorization: ").append(random.nextBoolean() ? "Bearer " : "Basic ").append(text(40, false))
                    .append("\r\n");
        }
        if (random.nextBoolean()) {
            headers.append("Content-Type: ").append(pick(CONTENT_TYPES)).append("\r\n");
        }
        if (random.nextInt(3) == 0) {
            headers.append("Accept: ").append(pick(ACCEPTS)).append("\r\n");
        }
        if (random.nextInt(8) == 0) {
            headers.append(randomHeader());
        }
        if (random.nextInt(10) == 0) {
            headers.append("Lock-Token: ").append(text(random.nextInt(300), false)).append("\r\n");
        }
        byte[] body = method.equals("GET") && random.nextInt(4) != 0 ? new byte[0] : body();
        int framing = random.nextInt(20);
        if (framing == 0) {
            headers.append("Content-Encoding: gzip\r\n");
            body = random.nextBoolean() ? gzip(body) : body;
        } else if (framing == 1) {
            headers.append("Transfer-Encoding: chunked\r\n");
            body = random.nextBoolean() ? chunked(body) : body;
        } else if (framing == 2) {
            // Fewer bytes declared than sent: the rest is a garbled next request. (More declared than sent would only
            // wait for the idle timeout; ResourceIT holds such stalled requests apart.)
            headers.append("Content-Length: ").append(random.nextInt(body.length + 1)).append("\r\n");
        }
        return RawHttp.request(method, target, headers.toString(), body);
    }

    private String target() {
        String path = pick(PATHS);
        int shape = random.nextInt(10);
        if (shape < 5) {
            return path;
        }
        String[] names = {"name", "since", "limit", "wait", "page", "fence", "format"};
        StringBuilder query = new StringBuilder(path).append('?');
        for (int i = random.nextInt(4); i >= 0; i--) {
            query.append(pick(List.of(names))).append('=').append(encoded(text(random.nextInt(60), true))).append('&');
        }
        if (shape == 9) {
            query.append(encoded(text(random.nextInt(5000), true)));
        }
        return query.toString();
    }

    private byte[] body() {
        int kind = random.nextInt(12);
        String json = switch (kind) {
            case 0, 1, 2 -> brokenBatch();
            case 3, 4 -> value(0).toString();
            case 5 -> "{\"ttl\":" + value(2) + ",\"token\":" + value(1) + ",\"holder\":" + value(1) + "}";
            case 6 -> "[".repeat(random.nextInt(5000)) + "]".repeat(random.nextInt(5000));
            case 7 -> "{\"points\":[" + "{\"name\":\"a\",\"value\":1},".repeat(random.nextInt(20000)) + "]}";
            default -> text(random.nextInt(2000), false);
        };
        int encoding = random.nextInt(10);
        if (encoding == 0) {
            return json.getBytes(StandardCharsets.UTF_16);
        }
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        if (encoding == 1 && bytes.length > 0) {
            for (int i = random.nextInt(10); i >= 0; i--) {
                bytes[random.nextInt(bytes.length)] = (byte) (0x80 + random.nextInt(0x80));
            }
        } else if (encoding == 2 && bytes.length > 1) {
            bytes = java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length));
        }
        return bytes;
    }

    /** A valid-looking batch with a random part replaced by something random. */
    private String brokenBatch() {
        String[] parts = {
            "\"role\":" + (random.nextBoolean() ? "\"leader\"" : value(1)),
            "\"source\":" + (random.nextBoolean() ? "\"leader_scrape\"" : "\"worker_backfill\""),
            "\"points\":[{\"name\":" + (random.nextBoolean() ? "\"fuzz_" + random.nextInt(50) + "\"" : value(1))
                    + ",\"labels\":" + (random.nextBoolean() ? "{\"k\":\"" + random.nextInt(50) + "\"}" : value(2))
                    + ",\"value\":" + (random.nextBoolean() ? Double.toString(random.nextGaussian()) : value(1))
                    + (random.nextBoolean() ? ",\"updatedAt\":" + (random.nextBoolean()
                            ? "\"" + Instant.now().minusSeconds(random.nextInt(7200) - 3600) + "\"" : value(1)) : "")
                    + "}]",
            "\"families\":" + (random.nextBoolean() ? "{\"fuzz_" + random.nextInt(50)
                    + "\":{\"type\":" + (random.nextBoolean() ? "\"gauge\"" : value(1)) + ",\"help\":" + value(1) + "}}"
                    : value(2)),
            "\"lease\":" + value(2),
        };
        StringBuilder batch = new StringBuilder("{");
        for (String part : parts) {
            if (random.nextInt(4) != 0) {
                batch.append(part).append(',');
            }
        }
        if (random.nextInt(5) == 0) {
            batch.append('"').append(text(10, true)).append("\":").append(value(1)).append(',');
        }
        if (batch.length() > 1) {
            batch.setLength(batch.length() - 1);
        }
        return batch.append('}').toString();
    }

    /** A random JSON value, nested at most {@code depth} more levels. */
    private Object value(int depth) {
        int kind = random.nextInt(depth > 0 ? 9 : 6);
        return switch (kind) {
            case 0 -> "null";
            case 1 -> Boolean.toString(random.nextBoolean());
            case 2 -> pick(List.of("0", "-1", "1e400", "-0.0", "123456789012345678901234567890", "1.5", "NaN",
                    Long.toString(random.nextLong()), Double.toString(random.nextDouble() * 1e300)));
            case 3, 4 -> '"' + jsonEscaped(text(random.nextInt(random.nextInt(10) == 0 ? 70000 : 30), true)) + '"';
            case 5 -> pick(List.of("\"NaN\"", "\"+Inf\"", "\"-Inf\"", "\"1h\"", "\"PT1S\"", "\"2026-01-01T00:00:00Z\"",
                    "\"\\ud800\"", "\"\\u0000\""));
            case 6 -> {
                StringBuilder array = new StringBuilder("[");
                for (int i = random.nextInt(5); i > 0; i--) {
                    array.append(value(depth - 1)).append(i > 1 ? "," : "");
                }
                yield array.append(']').toString();
            }
            default -> {
                StringBuilder object = new StringBuilder("{");
                for (int i = random.nextInt(5); i > 0; i--) {
                    object.append('"').append(jsonEscaped(text(8, true))).append("\":").append(value(depth - 1))
                            .append(i > 1 ? "," : "");
                }
                yield object.append('}').toString();
            }
        };
    }

    private String randomHeader() {
        return switch (random.nextInt(4)) {
            case 0 -> "X-Long: " + "x".repeat(random.nextInt(40_000)) + "\r\n";
            case 1 -> text(20, false).replace(':', '-').replace('\r', ' ').replace('\n', ' ') + ": "
                    + text(50, false).replace('\r', ' ').replace('\n', ' ') + "\r\n";
            case 2 -> "Last-Event-ID: " + text(100, false).replace('\r', ' ').replace('\n', ' ') + "\r\n";
            default -> "Expect: 100-continue\r\n";
        };
    }

    /** Random characters: any code point when {@code unicode}, else Latin-1 (what a header can carry). */
    private String text(int length, boolean unicode) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            if (!unicode) {
                text.append((char) (0x20 + random.nextInt(0xDF)));
            } else if (random.nextInt(4) == 0) {
                text.appendCodePoint(random.nextInt(0x10FFFF));
            } else {
                text.append((char) (0x20 + random.nextInt(0x5F)));
            }
        }
        return text.toString();
    }

    private static String jsonEscaped(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String encoded(String text) {
        return java.net.URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private static byte[] gzip(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
            zip.write(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private byte[] chunked(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = 0;
        while (at < body.length) {
            int size = Math.min(body.length - at, 1 + random.nextInt(4096));
            out.writeBytes((Integer.toHexString(size) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body, at, size);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            at += size;
        }
        out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    private <T> T pick(List<T> options) {
        return options.get(random.nextInt(options.size()));
    }
}
