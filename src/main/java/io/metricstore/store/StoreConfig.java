package io.metricstore.store;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Everything under {@code store.*}. {@link StoreConfigCheck} refuses out-of-range values at start-up. */
@ConfigMapping(prefix = "store")
public interface StoreConfig {

    /** Which backend holds the state. */
    enum Backend {
        memory,
        redis
    }

    @WithDefault("memory")
    Backend backend();

    /** A series not updated for this long expires. */
    @WithDefault("1h")
    Duration retention();

    /** The most live series; a write that would create more is refused whole. */
    @WithDefault("500000")
    int maxSeries();

    /** The most points in one {@code POST /points}. */
    @WithDefault("10000")
    int maxBatch();

    /**
     * How far in the future a {@code leader_scrape} point's {@code updatedAt} may lie: the leader's clock may run
     * ahead of this replica's. Kept short because a point from the future wins over every fresh scrape until then.
     * A {@code worker_backfill} point may be at most {@link PointValidator#MAX_BACKFILL_AHEAD} ahead.
     */
    @WithDefault("10s")
    Duration maxClockSkew();

    /**
     * How far this replica's clock may be from Redis' (Redis backend): beyond it the replica is not ready and refuses
     * writes and lock calls, so no outcome depends on which replica's clock runs fastest.
     */
    @WithDefault("500ms")
    Duration maxReplicaSkew();

    /** Redis key prefix, used as a Cluster hash tag. */
    @WithDefault("metric-store")
    String namespace();

    Gc gc();

    Changes changes();

    Locks locks();

    Leader leader();

    Limits limits();

    Exposition exposition();

    Redis redis();

    interface Redis {
        /**
         * How many Redis replicas must confirm a write ({@code WAIT}) before it is acknowledged; 0 acknowledges
         * what the primary has, which a failover may lose.
         */
        @WithDefault("0")
        int minReplicasAck();

        /** How long a write waits for those confirmations before it answers 503. */
        @WithDefault("100ms")
        Duration minReplicasAckTimeout();
    }

    interface Exposition {
        /**
         * How often a replica polls the change feed while it cannot watch it (its Redis subscription is down), and
         * retries loading its {@code /metrics} copy before that first succeeded.
         */
        @WithDefault("1s")
        Duration refresh();
    }

    interface Gc {
        /** How often the scheduled GC runs. */
        @WithDefault("30s")
        Duration interval();
    }

    interface Changes {
        /** How long the feed keeps a deleted series' tombstone. */
        @WithDefault("15m")
        Duration tombstoneRetention();

        /** The longest {@code wait} of a long-polling {@code GET /changes}. */
        @WithDefault("30s")
        Duration maxWait();

        /** The most long-polls and streams waiting at once on one replica; beyond, 503 {@code too-many-waiters}. */
        @WithDefault("10000")
        int maxWaiters();

        /**
         * How long a watch stays idle before it checks the feed itself: a stream sends a {@code bookmark}, the
         * {@code /metrics} copy catches up, the Redis subscription is checked. At most 10 s (SPEC §3).
         */
        @WithDefault("10s")
        Duration bookmarkInterval();
    }

    interface Leader {
        /**
         * Whether a {@code leader_scrape} batch must name the lease it is written under (403 without one): the role
         * field alone then proves nothing (SPEC §2, Fenced writes).
         */
        @WithDefault("false")
        boolean requireLease();
    }

    interface Locks {
        /** The longest lease a lock may be acquired or extended for. */
        @WithDefault("24h")
        Duration maxTtl();
    }

    /** Size limits of a point, in characters unless named otherwise, and of a validation refusal. */
    interface Limits {
        /**
         * The most family descriptions live at once (each lives for the retention): a batch that would describe more
         * new families is refused whole, as the series cap refuses new series.
         */
        @WithDefault("5000")
        int maxFamilies();

        /**
         * The most snapshots and {@code /metrics} scrapes served at once by one replica; beyond, 503
         * {@code too-many-reads}.
         */
        @WithDefault("16")
        int maxConcurrentReads();

        /**
         * How long a {@code /metrics} or change-stream client may leave one piece of its answer untaken (the write of
         * a piece of the exposition, or of an event, not completing) before its connection is closed. The default is
         * Prometheus' default scrape timeout: a scraper that stalls longer has given up already.
         */
        @WithDefault("10s")
        Duration writeTimeout();

        /**
         * Series per page of a snapshot walk: the page of {@code GET /series?page=} without {@code limit}, and the
         * page by which a whole snapshot is read and streamed, each page one short step of the backend.
         */
        @WithDefault("1000")
        int seriesPageSize();

        /** The largest {@code limit} of {@code GET /series}; a larger one is refused (400). */
        @WithDefault("10000")
        int maxSeriesPageSize();

        @WithDefault("256")
        int maxNameLength();

        @WithDefault("64")
        int maxLabels();

        @WithDefault("128")
        int maxLabelNameLength();

        @WithDefault("2048")
        int maxLabelValueLength();

        @WithDefault("1024")
        int maxHelpLength();

        /**
         * The most bytes of a series' name, label names and label values (UTF-8). The other limits alone allow
         * series of hundreds of kilobytes, a few of which fill a pod; this leaves room for ordinary series (a few
         * hundred bytes) and long label sets (Kubernetes pod labels) but not for such outliers (README, Limits).
         */
        @WithDefault("4096")
        int maxSeriesBytes();

        /** The most errors a validation refusal lists; it counts them all ({@code errorCount}). */
        @WithDefault("100")
        int maxErrors();
    }
}
