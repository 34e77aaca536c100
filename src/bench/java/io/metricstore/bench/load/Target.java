package io.metricstore.bench.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server under load and how it takes a batch of points. Both targets store the same series: {@code
 * bench_metric_<i / 1000>{host="host-<i % 1000>"}} for series number {@code i}, so a 1,000-point batch starting at
 * a multiple of 1,000 is one metric family.
 */
sealed interface Target {

    int SERIES_PER_NAME = 1000;

    /** One request. */
    record Request(String method, String path, String contentType, byte[] body) {
    }

    String name();

    int port();

    /** A new keep-alive connection to the server, with the credentials it asks for. */
    default HttpConnection connect() throws IOException {
        return new HttpConnection(port());
    }

    /** The request that writes series {@code [first, first + count)} with {@code value}. */
    Request write(int first, int count, long value);

    /**
     * Throws unless the answer says the whole batch was stored; {@code replayed} when it answers a batch sent again
     * after a 503, whose first attempt may already have stored it.
     */
    void check(HttpConnection.Response answer, int count, boolean replayed) throws IOException;

    /** A leader lease the driver holds: batches written under it name it and its token, and answer its fence. */
    record Lease(String name, String token, long fence) {
    }

    /**
     * The Metric Store: a JSON batch from the leader, every point applied because every value is new. Every request
     * carries {@code bearerToken} unless it is {@code null} (authentication off); every batch names {@code lease}
     * unless it is {@code null}, and must then answer the lease's fence (the service checked it).
     */
    record MetricStore(int port, String bearerToken, Lease lease) implements Target {

        private static final Pattern COUNTS = Pattern.compile("\"applied\":(\\d+),\"unchanged\":(\\d+),");
        private static final Pattern FENCE = Pattern.compile("\"fence\":(\\d+)");

        MetricStore(int port, String bearerToken) {
            this(port, bearerToken, null);
        }

        /** The same service, every batch written under {@code held}. */
        MetricStore underLease(Lease held) {
            return new MetricStore(port, bearerToken, held);
        }

        @Override
        public String name() {
            return "metric-store";
        }

        @Override
        public HttpConnection connect() throws IOException {
            return new HttpConnection(port, bearerToken);
        }

        @Override
        public Request write(int first, int count, long value) {
            String updatedAt = Instant.now().toString();
            StringBuilder body = new StringBuilder(count * 110 + 64)
                    .append("{\"role\":\"leader\",\"source\":\"leader_scrape\",");
            if (lease != null) {
                body.append("\"lease\":{\"name\":\"").append(lease.name()).append("\",\"token\":\"")
                        .append(lease.token()).append("\"},");
            }
            body.append("\"points\":[");
            for (int i = first; i < first + count; i++) {
                if (i > first) {
                    body.append(',');
                }
                body.append("{\"name\":\"bench_metric_").append(i / SERIES_PER_NAME)
                        .append("\",\"labels\":{\"job\":\"bench\",\"host\":\"host-").append(i % SERIES_PER_NAME)
                        .append("\"},\"value\":").append(value).append(",\"updatedAt\":\"").append(updatedAt)
                        .append("\"}");
            }
            body.append("]}");
            return new Request("POST", "/api/v1/points", "application/json",
                    body.toString().getBytes(StandardCharsets.UTF_8));
        }

        /**
         * Every point applied; in a replay, every point applied or unchanged (stored by the first attempt). Under a
         * lease, the answer names its fence.
         */
        @Override
        public void check(HttpConnection.Response answer, int count, boolean replayed) throws IOException {
            String text = answer.text();
            Matcher counts = COUNTS.matcher(text);
            if (answer.status() != 200 || !counts.find() || Integer.parseInt(counts.group(1))
                    + (replayed ? Integer.parseInt(counts.group(2)) : 0) != count) {
                throw new IOException("write not applied: " + answer.status() + " " + text);
            }
            Matcher fence = FENCE.matcher(text);
            if (lease != null && (!fence.find() || Long.parseLong(fence.group(1)) != lease.fence())) {
                throw new IOException("write not fenced by lease " + lease.name() + " (fence " + lease.fence()
                        + "): " + text);
            }
        }
    }

    /**
     * Prometheus' Pushgateway: each 1,000-series family is one group ({@code job="bench", instance="g<n>"})
     * replaced by a PUT in the text format, the Pushgateway's equivalent of writing a batch.
     */
    record Pushgateway(int port) implements Target {

        @Override
        public String name() {
            return "pushgateway";
        }

        @Override
        public Request write(int first, int count, long value) {
            if (first % SERIES_PER_NAME != 0 || count != SERIES_PER_NAME) {
                throw new IllegalArgumentException("Pushgateway batches are whole groups of " + SERIES_PER_NAME);
            }
            int group = first / SERIES_PER_NAME;
            StringBuilder body = new StringBuilder(count * 48 + 64)
                    .append("# TYPE bench_metric_").append(group).append(" gauge\n");
            for (int i = first; i < first + count; i++) {
                body.append("bench_metric_").append(group).append("{host=\"host-").append(i % SERIES_PER_NAME)
                        .append("\"} ").append(value).append('\n');
            }
            return new Request("PUT", "/metrics/job/bench/instance/g" + group, "text/plain; version=0.0.4",
                    body.toString().getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public void check(HttpConnection.Response answer, int count, boolean replayed) throws IOException {
            if (answer.status() != 200 && answer.status() != 202) {
                throw new IOException("push refused: " + answer.status() + " " + answer.text());
            }
        }
    }
}
