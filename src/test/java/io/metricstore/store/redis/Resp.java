package io.metricstore.store.redis;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLSocketFactory;

/**
 * One command to a Redis process on loopback over a plain socket or TLS (RESP2), for the test topologies: they must set
 * up, inspect and break Redis nodes whatever state the application's client is in. A connection per command: these
 * are a few administrative calls, never the traffic under test.
 */
public final class Resp {

    /** An error reply ({@code -ERR …}, {@code -WRONGPASS …}). */
    static final class ErrorReply extends RuntimeException {
        ErrorReply(String message) {
            super(message);
        }
    }

    private Resp() {
    }

    /**
     * The reply of {@code command} sent to 127.0.0.1:{@code port}: a String (simple or bulk string), a Long, a List
     * (of these) or null; an error reply is thrown as {@link ErrorReply}, an unreachable port as
     * {@link UncheckedIOException}.
     */
    static Object call(int port, String... command) {
        return call(null, port, null, null, command);
    }

    /**
     * The reply of {@code command} sent as the ACL user {@code user}: {@code AUTH} first, on the same connection.
     * Over TLS when {@code tls} is given (a factory trusting the server's certificate), else over a plain socket.
     */
    static Object call(SSLSocketFactory tls, int port, String user, String password, String... command) {
        try (Socket socket = tls == null ? new Socket() : tls.createSocket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            if (user != null) {
                send(out, "AUTH", user, password);
                read(in);
            }
            send(out, command);
            return read(in);
        } catch (IOException e) {
            throw new UncheckedIOException("127.0.0.1:" + port + " " + command[0] + ": " + e.getMessage(), e);
        }
    }

    private static void send(OutputStream out, String... command) throws IOException {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(("*" + command.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String part : command) {
            byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
            request.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            request.writeBytes(bytes);
            request.writeBytes(new byte[] {'\r', '\n'});
        }
        out.write(request.toByteArray());
        out.flush();
    }

    /** The reply of {@code command}, or null when the port does not answer (or answers an error). */
    static Object tryCall(int port, String... command) {
        return tryCall(null, port, command);
    }

    /** As {@link #tryCall(int, String...)}, over TLS when {@code tls} is given. */
    static Object tryCall(SSLSocketFactory tls, int port, String... command) {
        try {
            return call(tls, port, null, null, command);
        } catch (UncheckedIOException | ErrorReply unavailable) {
            return null;
        }
    }

    /** {@code INFO section} as fields. */
    public static Map<String, String> info(int port, String section) {
        return info(null, port, section);
    }

    /** {@code INFO section} as fields, over TLS when {@code tls} is given. */
    static Map<String, String> info(SSLSocketFactory tls, int port, String section) {
        Map<String, String> fields = new HashMap<>();
        for (String line : ((String) call(tls, port, null, null, "INFO", section)).split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#")) {
                fields.put(line.substring(0, colon), line.substring(colon + 1));
            }
        }
        return fields;
    }

    private static Object read(InputStream in) throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException("connection closed before the reply");
        }
        String line = line(in);
        switch (type) {
            case '+':
                return line;
            case '-':
                throw new ErrorReply(line);
            case ':':
                return Long.parseLong(line);
            case '$': {
                int length = Integer.parseInt(line);
                if (length < 0) {
                    return null;
                }
                byte[] bytes = in.readNBytes(length + 2);
                return new String(bytes, 0, length, StandardCharsets.UTF_8);
            }
            case '*': {
                int count = Integer.parseInt(line);
                if (count < 0) {
                    return null;
                }
                List<Object> items = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    items.add(read(in));
                }
                return items;
            }
            default:
                throw new IOException("not a RESP2 reply: " + (char) type + line);
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\r'; b = in.read()) {
            if (b < 0) {
                throw new EOFException("connection closed inside a reply");
            }
            line.write(b);
        }
        in.read();
        return line.toString(StandardCharsets.UTF_8);
    }
}
