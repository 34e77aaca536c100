package io.metricstore.limits;

import io.metricstore.store.StoreConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Multi;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.impl.ConnectionBase;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * The write timeout of streamed answers ({@code /metrics}, change streams): a client that leaves a piece of its
 * answer untaken for {@code store.limits.write-timeout} has its connection closed.
 *
 * <p>RESTEasy Reactive writes a {@link Multi} one item at a time and requests the next item only once the previous
 * one's write has completed, that is once the bytes left for the client's socket. An item requested and not yet sent
 * is the server's wait (rendering, or a stream with nothing to send), never the client's; every item sent and none
 * requested since is the client's. When that lasts past the timeout the client has stopped reading: its connection
 * is closed, which cancels the body and ends the response (its read permit or watch slot is freed). No thread waits
 * on a client meanwhile, and each item bounds what a stalled client holds.
 */
// Created at start-up, so that its counters are in the telemetry (at zero) before the first slow reader.
@Startup
@Singleton
public class SlowReaders {

    private static final Logger LOG = Logger.getLogger(SlowReaders.class);

    /** The guarded endpoints, the values of the counter's {@code endpoint} tag. */
    public enum Endpoint {
        METRICS("metrics"),
        SERIES("series"),
        CHANGES_STREAM("changes_stream");

        private final String tag;

        Endpoint(String tag) {
            this.tag = tag;
        }
    }

    private final Vertx vertx;
    private final Duration timeout;
    private final Map<Endpoint, Counter> closed = new EnumMap<>(Endpoint.class);

    @Inject
    public SlowReaders(Vertx vertx, StoreConfig config, MeterRegistry registry) {
        this(vertx, config.limits().writeTimeout(), registry);
    }

    public SlowReaders(Vertx vertx, Duration timeout, MeterRegistry registry) {
        this.vertx = vertx;
        this.timeout = timeout;
        for (Endpoint endpoint : Endpoint.values()) {
            closed.put(endpoint, Counter.builder("store_slow_readers_closed_total")
                    .description("Connections closed because their client took no part of a streamed answer for "
                            + "store.limits.write-timeout")
                    .tag("endpoint", endpoint.tag)
                    .register(registry));
        }
    }

    /** {@code body} written to the client of {@code request}, whose connection is closed when it stops reading. */
    public <T> Multi<T> guard(Multi<T> body, Endpoint endpoint, HttpServerRequest request) {
        return guard(body, endpoint, () -> abort(request));
    }

    /**
     * {@code body}, watched while it is subscribed to: {@code cutOff} runs (once) when its subscriber has taken no
     * item for the write timeout while every item it asked for was sent.
     */
    public <T> Multi<T> guard(Multi<T> body, Endpoint endpoint, Runnable cutOff) {
        Demand demand = new Demand();
        AtomicLong watchdog = new AtomicLong(-1);
        AtomicBoolean watching = new AtomicBoolean();
        return body
                .onItem().invoke(demand::delivered)
                .onRequest().invoke(demand::requested)
                .onSubscription().invoke(() -> {
                    watching.set(true);
                    watchdog.set(vertx.setPeriodic(checkEvery(), id -> {
                        if (demand.starvedFor() > timeout.toNanos() && watching.compareAndSet(true, false)) {
                            vertx.cancelTimer(id);
                            LOG.debugf("closing the connection of a %s client that took nothing for %s",
                                    endpoint.tag, timeout);
                            closed.get(endpoint).increment();
                            cutOff.run();
                        }
                    }));
                })
                .onTermination().invoke(() -> {
                    if (watching.compareAndSet(true, false)) {
                        vertx.cancelTimer(watchdog.get());
                    }
                });
    }

    /**
     * {@code out}, a blocking stream to the client of {@code request} (a whole snapshot, written by a worker thread):
     * a write that the client has not taken within the write timeout closes the connection, which fails the write and
     * gives the worker thread back. The rule is the same as for a streamed body, per write instead of per piece.
     */
    public OutputStream guard(OutputStream out, Endpoint endpoint, HttpServerRequest request) {
        return new FilterOutputStream(out) {
            @Override
            public void write(int b) throws IOException {
                watched(() -> out.write(b));
            }

            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                watched(() -> out.write(bytes, offset, length));
            }

            @Override
            public void flush() throws IOException {
                watched(out::flush);
            }

            private void watched(Write write) throws IOException {
                long timer = vertx.setTimer(timeout.toMillis(), id -> {
                    LOG.debugf("closing the connection of a %s client that took nothing for %s", endpoint.tag,
                            timeout);
                    closed.get(endpoint).increment();
                    abort(request);
                });
                try {
                    write.run();
                } finally {
                    vertx.cancelTimer(timer);
                }
            }
        };
    }

    /** A write to a client's stream. */
    private interface Write {
        void run() throws IOException;
    }

    /** How often a watchdog looks at its client: a few times per timeout. */
    private long checkEvery() {
        return Math.max(10, timeout.toMillis() / 4);
    }

    /**
     * Closes a client's connection at once. Vert.x's own {@code close()} first flushes what is queued, which a client
     * that reads nothing never lets finish; closing the channel drops the queue, and the body's subscription is
     * cancelled as for any client that goes away.
     */
    private static void abort(HttpServerRequest request) {
        if (request.version() == HttpVersion.HTTP_2) {
            // One stream of a connection that may carry others: reset it alone.
            request.response().reset();
            return;
        }
        HttpConnection connection = request.connection();
        if (connection instanceof ConnectionBase channel) {
            channel.channelHandlerContext().close();
        } else {
            connection.close();
        }
    }

    /**
     * Items sent against items requested: when every requested item has been sent, the body waits for the client to
     * take them, and how long it has waited so far is the starvation.
     */
    private static final class Demand {
        private final AtomicLong requested = new AtomicLong();
        private final AtomicLong delivered = new AtomicLong();
        /** When the body began to wait for its client; 0 while it does not. */
        private volatile long starvedSince;

        void requested(long count) {
            requested.accumulateAndGet(count, (now, more) -> now + more < 0 ? Long.MAX_VALUE : now + more);
            starvedSince = 0;
        }

        void delivered(Object item) {
            if (delivered.incrementAndGet() >= requested.get()) {
                // Never 0, which means not waiting.
                starvedSince = System.nanoTime() | 1;
                if (delivered.get() < requested.get()) {
                    // A request came meanwhile, and may have cleared the mark before it was set.
                    starvedSince = 0;
                }
            }
        }

        /** Nanoseconds the body has waited for the client to take what it was sent; 0 when it is not waiting. */
        long starvedFor() {
            long since = starvedSince;
            return since == 0 ? 0 : System.nanoTime() - since;
        }
    }
}
