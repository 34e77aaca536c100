package io.metricstore.bench.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Many long-polls held open at once by one thread: each is a connection of its own with one request sent and its
 * answer awaited through a selector, so a thousand waiters cost the driver one thread instead of a thousand.
 */
final class LongPolls implements AutoCloseable {

    /** One waiter's answer: its status, body, and when its last byte arrived ({@link System#nanoTime}). */
    record Answer(int status, String body, long receivedNanos) {
    }

    private final Selector selector;
    private final List<Waiter> waiters = new ArrayList<>();

    private static final class Waiter {
        final SocketChannel channel;
        final StringBuilder received = new StringBuilder();
        Answer answer;

        Waiter(SocketChannel channel) {
            this.channel = channel;
        }
    }

    /** Opens {@code count} connections to {@code port} and sends {@code GET path} on each. */
    LongPolls(int port, String path, int count) throws IOException {
        selector = Selector.open();
        byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < count; i++) {
            SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ByteBuffer buffer = ByteBuffer.wrap(request);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.configureBlocking(false);
            Waiter waiter = new Waiter(channel);
            channel.register(selector, SelectionKey.OP_READ, waiter);
            waiters.add(waiter);
        }
    }

    /** How many have been answered so far, without waiting. */
    int answered() throws IOException {
        poll(0);
        return (int) waiters.stream().filter(waiter -> waiter.answer != null).count();
    }

    /** Waits until every waiter is answered or {@code timeoutMillis} passed; returns the answers received. */
    List<Answer> await(long timeoutMillis) throws IOException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (answeredCount() < waiters.size()) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                break;
            }
            poll(left);
        }
        List<Answer> answers = new ArrayList<>();
        for (Waiter waiter : waiters) {
            if (waiter.answer != null) {
                answers.add(waiter.answer);
            }
        }
        return answers;
    }

    private long answeredCount() {
        return waiters.stream().filter(waiter -> waiter.answer != null).count();
    }

    private void poll(long timeoutMillis) throws IOException {
        int ready = timeoutMillis == 0 ? selector.selectNow() : selector.select(timeoutMillis);
        if (ready == 0) {
            return;
        }
        ByteBuffer buffer = ByteBuffer.allocate(8192);
        for (SelectionKey key : selector.selectedKeys()) {
            Waiter waiter = (Waiter) key.attachment();
            buffer.clear();
            int n = waiter.channel.read(buffer);
            long now = System.nanoTime();
            if (n < 0) {
                key.cancel();
                if (waiter.answer == null) {
                    waiter.answer = new Answer(-1, waiter.received.toString(), now);
                }
                continue;
            }
            waiter.received.append(new String(buffer.array(), 0, n, StandardCharsets.ISO_8859_1));
            if (waiter.answer == null && complete(waiter.received)) {
                String text = waiter.received.toString();
                waiter.answer = new Answer(Integer.parseInt(text.substring(9, 12)),
                        text.substring(text.indexOf("\r\n\r\n") + 4), now);
            }
        }
        selector.selectedKeys().clear();
    }

    /** Whether a whole response arrived: its head, then Content-Length bytes or the last chunk. */
    private static boolean complete(CharSequence received) {
        String text = received.toString();
        int head = text.indexOf("\r\n\r\n");
        if (head < 0) {
            return false;
        }
        String headers = text.substring(0, head).toLowerCase(Locale.ROOT);
        int length = headers.indexOf("content-length:");
        if (length >= 0) {
            int end = headers.indexOf("\r\n", length);
            long expected = Long.parseLong(headers.substring(length + 15, end < 0 ? headers.length() : end).trim());
            return text.length() - head - 4 >= expected;
        }
        return !headers.contains("chunked") || text.endsWith("\r\n0\r\n\r\n");
    }

    @Override
    public void close() throws IOException {
        for (Waiter waiter : waiters) {
            waiter.channel.close();
        }
        selector.close();
    }
}
