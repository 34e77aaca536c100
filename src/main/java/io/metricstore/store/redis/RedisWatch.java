package io.metricstore.store.redis;

import io.metricstore.store.model.Cursor;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.RedisConnection;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Wakes this replica's watchers when any replica changes the namespace. The scripts that change the feed publish
 * {@code feed <epoch> <sequence>} on the namespace's watch channel ({@link RedisKeys#watch}), the lease scripts
 * {@code lease <fence> <name>} (fence 0: resigned); each replica holds one subscription to it, on a connection of its
 * own. Pub/sub delivers at most once, so:
 * <ul>
 *   <li>while the subscription is down (Redis unreachable, restarted, failed over) the cursor is polled every
 *       {@code pollInterval} instead (and lease listeners are told that any lease may have changed), and the
 *       subscription is tried again at the same pace; once it is back, one more poll catches what was published
 *       while nobody listened;</li>
 *   <li>while it is up, the cursor is checked every {@code checkInterval} (read, unless this replica's own feed reads
 *       saw it lately): a change seen there that no message reported by the next check means the subscription is
 *       silently dead (a half-open connection), and it is replaced.</li>
 * </ul>
 * One thread of its own runs the polls and the reconnections; messages arrive on the Redis client's event loop.
 * Listeners must not block.
 */
final class RedisWatch implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RedisWatch.class);
    /** How long a subscription attempt may go unconfirmed before it is made again. */
    private static final String LEASE_MESSAGE = "lease ";
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(10);

    private final Redis client;
    private final String channel;
    private final Supplier<Cursor> cursor;
    private final long pollMillis;
    private final long checkMillis;
    private final List<Consumer<Cursor>> listeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<Optional<String>>> leaseListeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean connecting = new AtomicBoolean();
    private ScheduledExecutorService timer;
    private volatile RedisConnection connection;
    private volatile boolean subscribed;
    private volatile boolean everSubscribed;
    private volatile boolean closed;
    private volatile boolean refusalLogged;
    /** The latest cursor reported by a message or a poll. */
    private volatile Cursor seen;
    /** The latest cursor a message carried: what the liveness check asks of the subscription. */
    private volatile Cursor heard;
    /** A cursor a check found ahead of the messages; a message must report it before the next check. */
    private volatile Cursor expected;
    private volatile long lastCheckNanos = System.nanoTime();
    /** The cursor this replica's last feed read found (a cursor it read anyway), and when (monotonic). */
    private volatile Cursor observed;
    private volatile long observedNanos;
    private volatile long attemptNanos;
    /** The number of the latest subscription attempt (only the tick thread counts them). */
    private volatile long attempts;

    RedisWatch(Redis client, String channel, Supplier<Cursor> cursor, Duration pollInterval, Duration checkInterval) {
        this.client = client;
        this.channel = channel;
        this.cursor = cursor;
        this.pollMillis = Math.max(1, pollInterval.toMillis());
        this.checkMillis = Math.max(pollMillis, checkInterval.toMillis());
    }

    /** Adds a listener of the feed; the first listener starts the subscription. */
    synchronized void add(Consumer<Cursor> listener) {
        listeners.add(listener);
        start();
    }

    /**
     * Adds a listener of leases: told the name in each {@code lease <fence> <name>} message, and "any lease" after
     * each poll while the subscription is down and once when it is back.
     */
    synchronized void addLeases(Consumer<Optional<String>> listener) {
        leaseListeners.add(listener);
        start();
    }

    private void start() {
        if (timer == null && !closed) {
            timer = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "metric-store-redis-watch");
                thread.setDaemon(true);
                return thread;
            });
            timer.scheduleWithFixedDelay(this::tick, 0, pollMillis, TimeUnit.MILLISECONDS);
        }
    }

    /** Whether the subscription is up (else the cursor is polled). */
    boolean subscribed() {
        return subscribed;
    }

    private void tick() {
        if (closed) {
            return;
        }
        if (!subscribed) {
            subscribe();
            poll();
            leasesMayHaveChanged();
        } else if (System.nanoTime() - lastCheckNanos >= TimeUnit.MILLISECONDS.toNanos(checkMillis)) {
            check();
        }
    }

    /** Reads the cursor and reports it when it moved since the last report. */
    private Optional<Cursor> poll() {
        try {
            Cursor now = cursor.get();
            // Only a cursor after the last report: a slow poll must not report a cursor older than a message did.
            if (newer(now)) {
                report(now);
            }
            return Optional.of(now);
        } catch (RuntimeException unreachable) {
            LOG.debugf("watch poll failed: %s", unreachable.getMessage());
            return Optional.empty();
        }
    }

    /** The liveness check of a subscription that is up (see the class comment). */
    private void check() {
        lastCheckNanos = System.nanoTime();
        Cursor missing = expected;
        // Asked of the messages alone: the poll below reports what it finds itself, so seen always covers it.
        if (missing != null && !heard(missing)) {
            LOG.infof("the watch subscription missed a change; subscribing again");
            drop(connection, null);
            return;
        }
        Cursor before = seen;
        expected = recentlyObserved().or(this::poll).filter(now -> !now.equals(before)).orElse(null);
    }

    /**
     * A cursor this replica read from the feed anyway (the {@code /metrics} copy's catch-up, a client's read), so the
     * check need not read it again: reported like a poll's, when it is news.
     */
    void observed(Cursor cursor) {
        observed = cursor;
        observedNanos = System.nanoTime();
    }

    /** The last observed cursor, if it is younger than two checks (an idle replica's copy catches up once per check). */
    private Optional<Cursor> recentlyObserved() {
        Cursor last = observed;
        if (last == null || System.nanoTime() - observedNanos > TimeUnit.MILLISECONDS.toNanos(2 * checkMillis)) {
            return Optional.empty();
        }
        if (newer(last)) {
            report(last);
        }
        return Optional.of(last);
    }

    /**
     * Whether a message has carried {@code cursor} or a later one of its epoch (a message of another epoch says nothing
     * about a subscription that may have stayed with a former primary).
     */
    private boolean heard(Cursor cursor) {
        Cursor last = heard;
        return last != null && last.epoch().equals(cursor.epoch()) && last.sequence() >= cursor.sequence();
    }

    /** Whether {@code cursor} is after every cursor reported, or of another epoch. */
    private boolean newer(Cursor cursor) {
        Cursor last = seen;
        return last == null || !last.epoch().equals(cursor.epoch()) || last.sequence() < cursor.sequence();
    }

    /** Whether a message or poll has reported a cursor after {@code cursor}, in its epoch. */
    private boolean older(Cursor cursor) {
        Cursor last = seen;
        return last != null && last.epoch().equals(cursor.epoch()) && last.sequence() > cursor.sequence();
    }

    /**
     * Opens a connection and subscribes. The subscription counts as up when Redis confirms it (the {@code subscribe}
     * reply arrives through the handler, like the messages); an attempt unconfirmed after {@link #ATTEMPT_TIMEOUT} is
     * given up and made again.
     */
    private void subscribe() {
        if (connecting.get()) {
            if (System.nanoTime() - attemptNanos > ATTEMPT_TIMEOUT.toNanos()) {
                RedisConnection stuck = connection;
                connecting.set(false);
                drop(stuck, null);
            }
            return;
        }
        connecting.set(true);
        attemptNanos = System.nanoTime();
        long attempt = ++attempts;
        client.connect().subscribe().with(opened -> {
            if (closed || attempt != attempts) {
                // An attempt given up (or a watch closed) while it connected: its connection must not linger.
                opened.close().subscribe().with(ignored -> { }, ignored -> { });
                return;
            }
            connection = opened;
            opened.handler(response -> received(opened, response));
            opened.exceptionHandler(failure -> drop(opened, failure.getMessage()));
            opened.endHandler(() -> drop(opened, "the connection closed"));
            opened.send(Request.cmd(Command.SUBSCRIBE).arg(channel)).subscribe()
                    .with(written -> { }, failure -> drop(opened, failure.getMessage()));
        }, failure -> {
            connecting.set(false);
            LOG.debugf("watch subscription not opened: %s", failure.getMessage());
        });
    }

    /** Redis confirmed the subscription on {@code opened}. */
    private void confirmed(RedisConnection opened) {
        if (connection != opened || closed) {
            return;
        }
        subscribed = true;
        refusalLogged = false;
        connecting.set(false);
        lastCheckNanos = System.nanoTime();
        expected = null;
        if (everSubscribed) {
            LOG.info("the watch subscription is back: changes wake watchers at once again");
        }
        everSubscribed = true;
        // Whatever was published while nobody listened.
        ScheduledExecutorService polls = timer;
        if (polls != null) {
            polls.execute(this::poll);
        }
        leasesMayHaveChanged();
    }

    private void leasesMayHaveChanged() {
        leaseListeners.forEach(listener -> listener.accept(Optional.empty()));
    }

    /** Forgets a connection that failed or that this watch gave up; polling takes over until a new one is up. */
    private void drop(RedisConnection failed, String reason) {
        if (failed == null || connection != failed) {
            return;
        }
        connection = null;
        boolean wasSubscribed = subscribed;
        subscribed = false;
        connecting.set(false);
        if (wasSubscribed && reason != null && !closed) {
            // INFO: an outage of Redis is logged once, by the backend; this only says how watchers carry on.
            LOG.infof("the watch subscription was lost (%s): polling the feed every %d ms until it is back", reason,
                    pollMillis);
        }
        failed.close().subscribe().with(ignored -> { }, ignored -> { });
    }

    /**
     * What the subscribed connection receives: the confirmation, then the messages. RESP3 delivers them as pushes,
     * RESP2 as arrays: a kind ({@code subscribe}, {@code message}), the channel and a payload.
     */
    private void received(RedisConnection opened, Response response) {
        if (opened != connection) {
            return;
        }
        if (response.type() == ResponseType.ERROR) {
            // A refused SUBSCRIBE (NOPERM: an ACL without the channel or the command) is answered by an error, not a
            // confirmation: try again at the polling pace instead of waiting out the attempt's timeout.
            refused(opened, response.toString());
            return;
        }
        if ((response.type() != ResponseType.MULTI && response.type() != ResponseType.PUSH) || response.size() != 3
                || !channel.equals(response.get(1).toString())) {
            return;
        }
        String kind = response.get(0).toString();
        if (kind.equals("subscribe")) {
            confirmed(opened);
        } else if (kind.equals("message") && response.get(2).toString().startsWith(LEASE_MESSAGE)) {
            Optional<String> lease = Optional.of(leaseName(response.get(2).toString()));
            leaseListeners.forEach(listener -> listener.accept(lease));
        } else if (kind.equals("message")) {
            // A message older than a report (a poll's) is late news; one at the same cursor is told again (a write of
            // only family descriptions repeats the cursor).
            parse(response.get(2).toString()).ifPresent(now -> {
                heard = now;
                if (!older(now)) {
                    report(now);
                }
            });
        }
    }

    /** Redis answered the attempt on {@code opened} with an error; said once until a subscription is confirmed. */
    private void refused(RedisConnection opened, String error) {
        if (connection != opened || closed) {
            return;
        }
        if (!refusalLogged) {
            refusalLogged = true;
            LOG.warnf("Redis refused the watch subscription to %s (%s): watchers poll the feed every %d ms instead "
                    + "(the README's ACL line allows it)", channel, error, pollMillis);
        }
        drop(opened, null);
    }

    /** The name in {@code lease <fence> <name>} (the name last: it may contain spaces). */
    static String leaseName(String payload) {
        int space = payload.indexOf(' ', LEASE_MESSAGE.length());
        return space < 0 ? "" : payload.substring(space + 1);
    }

    /** {@code feed <epoch> <sequence>}; anything else is ignored (a later version may publish more kinds). */
    static Optional<Cursor> parse(String payload) {
        String[] parts = payload.split(" ");
        if (parts.length != 3 || !parts[0].equals("feed") || parts[1].isEmpty() || parts[1].indexOf(':') >= 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Cursor(parts[1], Long.parseLong(parts[2])));
        } catch (IllegalArgumentException malformed) {
            return Optional.empty();
        }
    }

    /** Tells the listeners; a message of a write of only family descriptions repeats the cursor, and is told too. */
    private void report(Cursor now) {
        if (newer(now)) {
            seen = now;
        }
        listeners.forEach(listener -> listener.accept(now));
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (timer != null) {
            timer.shutdownNow();
        }
        RedisConnection open = connection;
        connection = null;
        subscribed = false;
        if (open != null) {
            open.close().subscribe().with(ignored -> { }, ignored -> { });
        }
    }
}
