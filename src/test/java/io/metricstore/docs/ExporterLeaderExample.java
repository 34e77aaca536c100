package io.metricstore.docs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One exporter replica's part in electing the leader, as the README's "How an exporter uses it" describes it: plain
 * HTTP with {@code java.net.http}, JSON with Jackson. Every replica runs one; {@code ExporterLeaderExampleTest} runs
 * two against the service.
 *
 * <ul>
 *   <li><b>Follower</b>: observe the lease with {@code ?wait=30s&fence=<the fence last seen>}, which answers as soon
 *       as the lease changes hands or is free, and campaign when it is free ({@code held: false}).</li>
 *   <li><b>Leader</b>: renew every third of the TTL and write each scrape under the lease
 *       ({@code "lease": {name, token}}); step down at once when a write answers 409 ({@code not-leader}) or a renew
 *       404 or 409: the lease ran out (a long pause, a partition) and another replica may lead already.</li>
 * </ul>
 *
 * <p>The client compares no fences: the store refuses a batch written under a lease that its token no longer holds,
 * in the same atomic step as the write. A leader that believes it leads a little too long loses a refused batch,
 * never its successor's data. With authentication on, add {@code Authorization: Bearer <token>} to each request.
 */
public final class ExporterLeaderExample implements AutoCloseable {

    /** One sample of a scrape. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    /** A term as leader: the token this replica campaigned with, and the fence the store gave the term. */
    private record Term(String token, long fence) {
    }

    private static final System.Logger LOG = System.getLogger(ExporterLeaderExample.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How soon to try again after a failed call, or to observe again after a wait that saw no change. */
    private static final Duration RETRY = Duration.ofMillis(500);

    private final HttpClient http = HttpClient.newHttpClient();
    private final URI lease;
    private final URI points;
    private final String leaseName;
    private final String holder;
    private final String ttl;
    private final Duration renewEvery;
    private final Duration observeWait;
    /** Campaigns, renewals and observations run here, one at a time. */
    private final ScheduledExecutorService loop;
    private final AtomicReference<Term> term = new AtomicReference<>();
    private volatile ScheduledFuture<?> renewal;
    private volatile boolean stopped;

    /**
     * @param store the service, such as {@code http://metric-store:8080}
     * @param leaseName the lease the replicas elect their leader with (characters a URL path carries as they are,
     *        such as {@code exporter-leader})
     * @param holder who this replica is, shown to observers (its pod name)
     * @param ttl how long a term lasts without renewal: how long the replicas may be without a leader after a crash
     * @param observeWait how long a follower's observation waits for a change (30 s; at most
     *        {@code store.changes.max-wait})
     */
    public ExporterLeaderExample(URI store, String leaseName, String holder, Duration ttl, Duration observeWait) {
        this.lease = store.resolve("/api/v1/leases/" + leaseName);
        this.points = store.resolve("/api/v1/points");
        this.leaseName = leaseName;
        this.holder = holder;
        this.ttl = ttl.toMillis() + "ms";
        this.renewEvery = ttl.dividedBy(3);
        this.observeWait = observeWait;
        this.loop = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "leader-election-" + holder);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Starts campaigning; from then on this replica leads or follows by itself. */
    public void start() {
        loop.execute(() -> campaign(newToken()));
    }

    /** Whether this replica believes it leads (the store has the last word: see {@link #write}). */
    public boolean leading() {
        return term.get() != null;
    }

    /** The fence of this replica's term while it leads. */
    public OptionalLong fence() {
        Term current = term.get();
        return current == null ? OptionalLong.empty() : OptionalLong.of(current.fence());
    }

    public String holder() {
        return holder;
    }

    /**
     * Writes one scrape under the lease, if this replica leads. Returns whether it was written: {@code false} when this
     * replica does not lead, or when the store refused the batch because the lease is no longer this replica's (it
     * then steps down; nothing of the batch was written).
     */
    public boolean write(List<Sample> scrape) throws IOException, InterruptedException {
        Term current = term.get();
        if (current == null) {
            return false;
        }
        HttpResponse<String> answer = send(json(points, "POST", Map.of("role", "leader", "source", "leader_scrape",
                "lease", Map.of("name", leaseName, "token", current.token()), "points", scrape))
                .timeout(Duration.ofSeconds(10)));
        if (answer.statusCode() == 200) {
            return true;
        }
        if (answer.statusCode() == 409) {
            // not-leader: the lease ran out or changed hands; its holder and fence are in the answer.
            stepDown(current);
            return false;
        }
        throw new IOException("POST /api/v1/points answered " + answer.statusCode() + ": " + answer.body());
    }

    /** Stops; a leader resigns, so that a follower takes over at once instead of after the TTL. */
    @Override
    public void close() throws InterruptedException {
        stopped = true;
        loop.shutdownNow();
        loop.awaitTermination(10, TimeUnit.SECONDS);
        Term last = term.getAndSet(null);
        if (last != null) {
            try {
                send(HttpRequest.newBuilder(lease).header("Lease-Token", last.token()).DELETE());
            } catch (IOException e) {
                // Not resigned: the lease runs out after its TTL instead.
            }
        }
    }

    /**
     * Takes the lease if nobody holds it. A campaign whose answer was lost is retried with the same token, which the
     * store then reports as won (with the same fence) instead of as held by someone else.
     */
    private void campaign(String token) {
        if (stopped) {
            return;
        }
        try {
            HttpResponse<String> answer = send(json(lease, "POST", Map.of("ttl", ttl, "token", token, "holder", holder))
                    .timeout(Duration.ofSeconds(10)));
            JsonNode body = JSON.readTree(answer.body());
            if (answer.statusCode() == 201) {
                lead(new Term(token, body.get("fence").asLong()));
            } else if (answer.statusCode() == 409) {
                // lease-held: follow its holder, from the fence the refusal names.
                loop.execute(() -> follow(body.get("fence").asLong()));
            } else {
                // A 503 passes; anything else (401, 403, 400) needs a fix of the configuration.
                LOG.log(answer.statusCode() == 503 ? Level.DEBUG : Level.WARNING, "campaign for {0} answered {1}: {2}",
                        leaseName, answer.statusCode(), answer.body());
                loop.schedule(() -> campaign(token), RETRY.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (IOException e) {
            loop.schedule(() -> campaign(token), RETRY.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until the lease is no longer held with {@code fence}; campaigns when it is free. */
    private void follow(long fence) {
        if (stopped) {
            return;
        }
        try {
            URI observe = URI.create(lease + "?wait=" + observeWait.toMillis() + "ms&fence=" + fence);
            HttpResponse<String> answer = send(HttpRequest.newBuilder(observe)
                    .timeout(observeWait.plusSeconds(10)).GET());
            JsonNode state = answer.statusCode() == 200 ? JSON.readTree(answer.body()) : null;
            if (state == null) {
                loop.schedule(() -> follow(fence), RETRY.toMillis(), TimeUnit.MILLISECONDS);
            } else if (!state.get("held").asBoolean()) {
                campaign(newToken());
            } else if (state.get("fence").asLong() != fence) {
                long next = state.get("fence").asLong();
                loop.execute(() -> follow(next));
            } else {
                // The wait ran out (or a proxy cut it short) with the same holder: observe again.
                loop.schedule(() -> follow(fence), RETRY.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (IOException e) {
            loop.schedule(() -> follow(fence), RETRY.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void lead(Term won) {
        renewal = loop.scheduleAtFixedRate(() -> renew(won), renewEvery.toMillis(), renewEvery.toMillis(),
                TimeUnit.MILLISECONDS);
        term.set(won);
    }

    /**
     * Renews the term. 404 (it ran out) or 409 (another token holds it): step down. Any other failure (a 503, a
     * timeout) is tried again at the next tick; should the lease run out meanwhile, the next write is refused.
     */
    private void renew(Term current) {
        if (term.get() != current) {
            return;
        }
        try {
            HttpResponse<String> answer = send(json(lease, "PUT", Map.of("token", current.token(), "ttl", ttl))
                    .timeout(renewEvery));
            if (answer.statusCode() == 404 || answer.statusCode() == 409) {
                stepDown(current);
            }
        } catch (IOException e) {
            // The next tick tries again.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Ends {@code ended} (once, whoever notices first) and follows the lease again. */
    private void stepDown(Term ended) {
        if (term.compareAndSet(ended, null)) {
            renewal.cancel(false);
            if (!stopped) {
                loop.execute(() -> follow(ended.fence()));
            }
        }
    }

    private String newToken() {
        return holder + "-" + UUID.randomUUID();
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder json(URI uri, String method, Object body) {
        try {
            return HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * For the test: blocks this replica's loop until {@code release} opens, as a stop-the-world pause would (no
     * renewal, no observation), while {@link #leading()} still says what the replica believed when it froze.
     */
    void freeze(CountDownLatch release) throws InterruptedException {
        CountDownLatch frozen = new CountDownLatch(1);
        loop.execute(() -> {
            frozen.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        frozen.await();
    }
}
