package io.metricstore.bench.load;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The driver's own connection to a Redis server, in RESP2 inline commands: {@code INFO commandstats}, {@code INFO
 * cpu} and {@code MONITOR}. The driver is compiled without a class path, so it has no Redis client; it needs no more
 * than these.
 */
final class RedisWire implements AutoCloseable, Workloads.Server {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RedisWire(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setTcpNoDelay(true);
        in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
        out = socket.getOutputStream();
    }

    /** The address Redis sees this connection from, as MONITOR prints it ({@code 127.0.0.1:port}). */
    String address() {
        return "127.0.0.1:" + socket.getLocalPort();
    }

    /** Calls per command from {@code INFO commandstats} ({@code cmdstat_get:calls=3,…}): every command, also those a script ran. */
    Map<String, Long> commandCalls() throws IOException {
        Map<String, Long> calls = new LinkedHashMap<>();
        for (String line : info("commandstats")) {
            if (line.startsWith("cmdstat_")) {
                int colon = line.indexOf(':');
                int start = line.indexOf("calls=") + 6;
                calls.put(line.substring(8, colon), Long.parseLong(line.substring(start, line.indexOf(',', start))));
            }
        }
        return calls;
    }

    /**
     * CPU seconds the Redis server has used, its own count ({@code used_cpu_sys + used_cpu_user} of {@code INFO
     * cpu}): in microseconds, where /proc counts ticks of 10 ms.
     */
    @Override
    public double cpuSeconds() throws IOException {
        double seconds = 0;
        int found = 0;
        for (String line : info("cpu")) {
            if (line.startsWith("used_cpu_sys:") || line.startsWith("used_cpu_user:")) {
                seconds += Double.parseDouble(line.substring(line.indexOf(':') + 1));
                found++;
            }
        }
        if (found != 2) {
            throw new IOException("INFO cpu without used_cpu_sys and used_cpu_user");
        }
        return seconds;
    }

    /** The lines of one {@code INFO} section. */
    private String[] info(String section) throws IOException {
        out.write(("INFO " + section + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String first = Launched.readLine(in);
        if (!first.startsWith("$")) {
            throw new IOException("INFO answered " + first);
        }
        String text = new String(in.readNBytes(Integer.parseInt(first.substring(1))), StandardCharsets.UTF_8);
        Launched.readLine(in);
        return text.split("\r\n");
    }

    /**
     * Turns this connection into a monitor and hands every command Redis executes from now on to {@code lines}, on a
     * daemon thread of its own, until the connection is closed.
     */
    void monitor(Consumer<Monitored> lines) throws IOException {
        out.write("MONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String ok = Launched.readLine(in);
        if (!ok.equals("+OK")) {
            throw new IOException("MONITOR answered " + ok);
        }
        Thread reader = new Thread(() -> {
            try {
                for (String line = Launched.readLine(in); ; line = Launched.readLine(in)) {
                    Monitored parsed = Monitored.parse(line);
                    if (parsed != null) {
                        lines.accept(parsed);
                    }
                }
            } catch (IOException closed) {
                // the monitor ends with its connection
            }
        }, "redis-monitor");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * One command as MONITOR shows it: who sent it ({@code 127.0.0.1:port}, or {@code lua} for a command a script
     * ran) and its words (the command, in lower case, then its arguments).
     */
    record Monitored(String client, List<String> words) {

        /** {@code +1700000000.123456 [0 127.0.0.1:5000] "evalsha" "…" …}; null for anything else. */
        static Monitored parse(String line) {
            int open = line.indexOf('[');
            int close = line.indexOf(']', open + 1);
            if (!line.startsWith("+") || open < 0 || close < 0) {
                return null;
            }
            String[] db = line.substring(open + 1, close).split(" ", 2);
            if (db.length < 2) {
                return null;
            }
            List<String> words = new ArrayList<>();
            StringBuilder word = null;
            for (int i = close + 1; i < line.length(); i++) {
                char c = line.charAt(i);
                if (word == null) {
                    if (c == '"') {
                        word = new StringBuilder();
                    }
                } else if (c == '\\' && i + 1 < line.length()) {
                    i = unescape(line, i + 1, word);
                } else if (c == '"') {
                    words.add(word.toString());
                    word = null;
                } else {
                    word.append(c);
                }
            }
            if (words.isEmpty()) {
                return null;
            }
            words.set(0, words.get(0).toLowerCase(java.util.Locale.ROOT));
            return new Monitored(db[1], words);
        }
    }

    /**
     * Appends the character MONITOR escaped at {@code at} (just after the backslash: {@code n r t a b " \\} or
     * {@code xHH}) and returns the index of its last character.
     */
    private static int unescape(String line, int at, StringBuilder word) {
        char c = line.charAt(at);
        switch (c) {
            case 'n' -> word.append('\n');
            case 'r' -> word.append('\r');
            case 't' -> word.append('\t');
            case 'a' -> word.append('\u0007');
            case 'b' -> word.append('\b');
            case 'x' -> {
                if (at + 2 < line.length()) {
                    word.append((char) Integer.parseInt(line.substring(at + 1, at + 3), 16));
                    return at + 2;
                }
                word.append(c);
            }
            default -> word.append(c);
        }
        return at;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
