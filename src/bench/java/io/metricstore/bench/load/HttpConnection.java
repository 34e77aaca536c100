package io.metricstore.bench.load;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One keep-alive HTTP/1.1 connection with blocking I/O. A load driver must cost far less than the server it
 * measures, on the same two cores: this client writes a request with one buffered write and parses only the status,
 * Content-Length, Transfer-Encoding and Content-Encoding, which an asynchronous general-purpose client cannot match.
 * Given a bearer token, it sends {@code Authorization: Bearer <token>} with every request.
 */
final class HttpConnection implements AutoCloseable {

    /** A response: status, body (empty when discarded) and the body's size on the wire. */
    record Response(int status, byte[] body, long wireBytes) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] line = new byte[8192];
    /** {@code Authorization: Bearer …\r\n}, or empty without a token. */
    private final String authorization;

    HttpConnection(int port) throws IOException {
        this(port, null);
    }

    /** A connection whose every request carries {@code bearerToken} ({@code null}: no Authorization header). */
    HttpConnection(int port, String bearerToken) throws IOException {
        authorization = bearerToken == null ? "" : "Authorization: Bearer " + bearerToken + "\r\n";
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(120_000);
        in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
        out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
    }

    Response get(String path) throws IOException {
        return exchange("GET", path, null, null, "", true);
    }

    /** A GET whose body is counted but not kept: large scrapes must not measure the driver's copying. */
    Response getDiscarding(String path) throws IOException {
        return exchange("GET", path, null, null, "", false);
    }

    Response send(String method, String path, String contentType, byte[] body) throws IOException {
        return exchange(method, path, contentType, body, "", true);
    }

    Response send(String method, String path, String contentType, byte[] body, String extraHeaders)
            throws IOException {
        return exchange(method, path, contentType, body, extraHeaders, true);
    }

    private Response exchange(String method, String path, String contentType, byte[] body, String extraHeaders,
            boolean keep) throws IOException {
        StringBuilder head = new StringBuilder(160 + authorization.length()).append(method).append(' ').append(path)
                .append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n").append(authorization).append(extraHeaders);
        if (body != null) {
            head.append("Content-Type: ").append(contentType).append("\r\nContent-Length: ").append(body.length)
                    .append("\r\n");
        }
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (body != null) {
            out.write(body);
        }
        out.flush();
        return read(keep);
    }

    private Response read(boolean keep) throws IOException {
        String status = readLine();
        int code = Integer.parseInt(status.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        for (String header = readLine(); !header.isEmpty(); header = readLine()) {
            String lower = header.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(lower.substring(15).trim());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            }
        }
        ByteArrayOutputStream kept = keep ? new ByteArrayOutputStream() : null;
        long wire = 0;
        if (chunked) {
            for (long size = Long.parseLong(readLine().trim(), 16); size > 0;
                    size = Long.parseLong(readLine().trim(), 16)) {
                copy(size, kept);
                wire += size;
                readLine();
            }
            readLine();
        } else if (length > 0) {
            copy(length, kept);
            wire = length;
        }
        return new Response(code, kept == null ? new byte[0] : kept.toByteArray(), wire);
    }

    private void copy(long size, ByteArrayOutputStream kept) throws IOException {
        byte[] buffer = new byte[8192];
        long left = size;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new EOFException("connection closed inside a body");
            }
            if (kept != null) {
                kept.write(buffer, 0, n);
            }
            left -= n;
        }
    }

    private String readLine() throws IOException {
        int n = 0;
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new EOFException("connection closed");
            }
            if (b != '\r' && n < line.length) {
                line[n++] = (byte) b;
            }
        }
        return new String(line, 0, n, StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
