package io.metricstore.limits;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * HTTP/1.1 over a plain socket, byte for byte as the caller writes it: what {@code java.net.http} refuses to send
 * (any method, header or body, broken framing) and what it hides (a server that closes without answering).
 */
final class RawHttp {

    private RawHttp() {
    }

    /**
     * What came back: the status and headers, or {@code status} 0 when the server closed the connection without an
     * answer, or -1 when nothing came within the timeout (a hang).
     */
    record Answer(int status, String head, int bodyBytes) {

        Optional<String> header(String name) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                    return Optional.of(line.substring(colon + 1).trim());
                }
            }
            return Optional.empty();
        }
    }

    /**
     * Sends {@code request} (the whole request, head and body) on a new connection and reads one answer (skipping an
     * interim {@code 100 Continue}), its body framed by {@code Content-Length}, chunks or the end of the connection;
     * at most {@code within} in all.
     */
    static Answer exchange(int port, byte[] request, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        boolean head = new String(request, 0, Math.min(5, request.length), StandardCharsets.ISO_8859_1).startsWith("HEAD ");
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
            socket.setSoTimeout((int) within.toMillis());
            OutputStream out = socket.getOutputStream();
            // No half-close: a server may take the end of the input for the end of the connection and drop the
            // request.
            try {
                out.write(request);
                out.flush();
            } catch (IOException closedWhileSending) {
                // The server may answer (413, 431) and close before it has read everything: read what it said.
            }
            InputStream in = new BufferedInputStream(socket.getInputStream());
            String answerHead;
            int status;
            do {
                answerHead = head(in);
                if (answerHead == null) {
                    return new Answer(0, "", 0);
                }
                if (!answerHead.startsWith("HTTP/1.") || answerHead.length() < 12) {
                    return new Answer(0, answerHead, 0);
                }
                status = Integer.parseInt(answerHead.substring(9, 12));
            } while (status == 100);
            Answer answer = new Answer(status, answerHead, 0);
            if (head || status == 204 || status == 304) {
                return answer;
            }
            long bytes = body(in, answer, deadline);
            return new Answer(System.nanoTime() > deadline ? -1 : status, answerHead, (int) bytes);
        } catch (SocketTimeoutException hung) {
            return new Answer(-1, "", 0);
        } catch (IOException reset) {
            return new Answer(0, reset.toString(), 0);
        }
    }

    /** The head up to the blank line, or null when the connection ends first. */
    private static String head(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        for (int c = in.read(); c >= 0; c = in.read()) {
            head.append((char) c);
            if (head.length() >= 4 && head.lastIndexOf("\r\n\r\n") == head.length() - 4) {
                return head.substring(0, head.length() - 4);
            }
        }
        return head.isEmpty() ? null : head.toString();
    }

    private static long body(InputStream in, Answer answer, long deadline) throws IOException {
        Optional<String> length = answer.header("Content-Length");
        if (length.isPresent()) {
            long bytes = Long.parseLong(length.get());
            in.skipNBytes(bytes);
            return bytes;
        }
        if (answer.header("Transfer-Encoding").filter(coding -> coding.equalsIgnoreCase("chunked")).isPresent()) {
            long total = 0;
            while (System.nanoTime() < deadline) {
                String size = line(in);
                long chunk = Long.parseLong(size.split(";")[0].trim(), 16);
                if (chunk == 0) {
                    return total;
                }
                in.skipNBytes(chunk);
                line(in);
                total += chunk;
            }
            return total;
        }
        long total = 0;
        byte[] buffer = new byte[16384];
        for (int n = in.read(buffer); n >= 0 && System.nanoTime() < deadline; n = in.read(buffer)) {
            total += n;
        }
        return total;
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    /** A request head and body, {@code Content-Length} and {@code Connection: close} added unless already given. */
    static byte[] request(String method, String target, String headers, byte[] body) {
        StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: localhost\r\n")
                .append(headers);
        String lower = headers.toLowerCase(Locale.ROOT);
        if (!lower.contains("content-length:") && !lower.contains("transfer-encoding:")) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        if (!lower.contains("connection:")) {
            head.append("Connection: close\r\n");
        }
        head.append("\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(body);
        return out.toByteArray();
    }
}
