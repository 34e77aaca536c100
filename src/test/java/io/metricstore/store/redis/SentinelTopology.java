package io.metricstore.store.redis;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A real Redis Sentinel deployment for the tests: a primary, one replica and three Sentinels (quorum two), all
 * {@code redis-server} processes of the binary {@link RedisTestServer} uses, Sentinels started with
 * {@code --sentinel}. Timeouts are short (a primary is down after 1 s without answers), so a failover takes a few
 * seconds. The data nodes append every write to their AOF with fsync.
 *
 * <p>The replica authenticates to the primary as the ACL user {@value #REPLICATION_USER}, every other client as the
 * default user; {@link #detachReplica()} disables that user on the primary, so the replica misses writes while it
 * answers Sentinel like a healthy replica. Sentinel still promotes such a replica as long as its link to the
 * primary has been down for less than ten times {@code down-after-milliseconds} (10 s here) plus the time the
 * primary has been down.
 *
 * <p>Every node is on 127.0.0.1 and is named by its port. All methods are for one test thread.
 */
public final class SentinelTopology implements AutoCloseable {

    /** Marks the field {@link Resource} fills in. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface Inject {
    }

    public static final String MASTER_NAME = "metric-store";
    static final String REPLICATION_USER = "replication";
    private static final String REPLICATION_PASSWORD = "replication-secret";
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final Map<Integer, RedisProcess> dataNodes = new LinkedHashMap<>();
    private final List<RedisProcess> sentinels = new ArrayList<>();

    private SentinelTopology() {
    }

    /** Starts the primary, the replica and the Sentinels, and waits until every Sentinel knows the replica. */
    public static SentinelTopology launch() {
        SentinelTopology topology = new SentinelTopology();
        try {
            RedisProcess primary = RedisProcess.launch("sentinel-primary", false, false, port -> dataNode(null));
            topology.dataNodes.put(primary.port, primary);
            RedisProcess replica = RedisProcess.launch("sentinel-replica", false, false, port -> dataNode(primary));
            topology.dataNodes.put(replica.port, replica);
            topology.awaitLinkUp(replica.port);
            for (int i = 1; i <= 3; i++) {
                topology.sentinels.add(RedisProcess.launch("sentinel-" + i, true, false, port -> List.of(
                        "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + primary.port + " 2",
                        "sentinel down-after-milliseconds " + MASTER_NAME + " 1000",
                        "sentinel failover-timeout " + MASTER_NAME + " 5000",
                        "sentinel parallel-syncs " + MASTER_NAME + " 1")));
            }
            topology.awaitSentinelsAgree(primary.port);
            return topology;
        } catch (RuntimeException | Error e) {
            topology.close();
            throw e;
        }
    }

    private static List<String> dataNode(RedisProcess primary) {
        List<String> settings = new ArrayList<>(List.of("appendonly yes", "appendfsync always", "save \"\"",
                // Redis 7 delays a full sync by 5 s by default, waiting for more replicas.
                "repl-diskless-sync-delay 0",
                "user " + REPLICATION_USER + " on >" + REPLICATION_PASSWORD + " ~* &* +@all",
                "masteruser " + REPLICATION_USER, "masterauth " + REPLICATION_PASSWORD));
        if (primary != null) {
            settings.add("replicaof 127.0.0.1 " + primary.port);
        }
        return settings;
    }

    // ---- what the application is given

    /** {@code redis://127.0.0.1:port} of each Sentinel. */
    public List<String> sentinelUrls() {
        return sentinels.stream().map(sentinel -> "redis://127.0.0.1:" + sentinel.port).toList();
    }

    public String masterName() {
        return MASTER_NAME;
    }

    /** The Quarkus Redis client configuration for this deployment, as the README gives it, and the Redis backend. */
    public Map<String, String> clientConfig() {
        return Map.of("store.backend", "redis",
                "quarkus.redis.client-type", "sentinel",
                "quarkus.redis.hosts", String.join(",", sentinelUrls()),
                "quarkus.redis.master-name", MASTER_NAME,
                "quarkus.redis.role", "master");
    }

    // ---- inspecting

    /** The port of the primary, as the first Sentinel that answers reports it. */
    public int primary() {
        for (RedisProcess sentinel : sentinels) {
            Integer port = masterPortKnownTo(sentinel);
            if (port != null) {
                return port;
            }
        }
        throw new IllegalStateException("no Sentinel answers");
    }

    /** The ports of the data nodes that run now. */
    public List<Integer> runningDataNodes() {
        return dataNodes.values().stream().filter(RedisProcess::alive).map(node -> node.port).toList();
    }

    /** What {@code ROLE} answers on a data node, e.g. {@code [master, offset, replicas]}, or null if it is down. */
    public List<?> role(int port) {
        return (List<?>) Resp.tryCall(port, "ROLE");
    }

    /** Sends a command to a data node over a plain socket, as the default user. */
    public Object call(int port, String... command) {
        return Resp.call(port, command);
    }

    // ---- breaking and repairing

    /** Kills the current primary with SIGKILL (a crash: nothing flushed on the way out); returns its port. */
    public int killPrimary() {
        int primary = primary();
        dataNodes.get(primary).kill();
        return primary;
    }

    /**
     * A switchover, as an operator starts one: {@code SENTINEL FAILOVER} promotes the replica while the primary keeps
     * running and is turned into a replica of the new one. Returns the old primary's port once every Sentinel names
     * the new one and the old one replicates it.
     */
    public int switchover() {
        int primary = primary();
        Resp.call(sentinels.get(0).port, "SENTINEL", "FAILOVER", MASTER_NAME);
        awaitFailover(primary);
        awaitReplica(primary);
        return primary;
    }

    /** Starts a killed data node again, from its own data and configuration file. */
    public void restart(int port) {
        dataNodes.get(port).restart();
    }

    /**
     * Waits until the failover away from {@code oldPrimary} completed: every Sentinel names the same other node as
     * the primary and that node answers {@code ROLE} as a master. Returns its port.
     */
    public int awaitFailover(int oldPrimary) {
        int[] promoted = new int[1];
        RedisProcess.await(() -> {
            Integer agreed = agreedPrimary();
            if (agreed == null || agreed == oldPrimary || !isMaster(agreed)) {
                return false;
            }
            promoted[0] = agreed;
            return true;
        }, WAIT, "failover away from " + oldPrimary, processes());
        return promoted[0];
    }

    /**
     * Waits until a (restarted) data node is back in the pair: Sentinel turns a former primary that comes back into a
     * replica of the new one, a few seconds after it noticed it back. With down-after-milliseconds this short, a
     * loaded machine can make the Sentinels fail over once more meanwhile (the new primary missed a second of
     * pings), so the node may come back as the primary instead; either way, every data node but the agreed primary
     * replicates it with its link up.
     */
    public void awaitReplica(int port) {
        RedisProcess.await(() -> {
            Integer primary = agreedPrimary();
            if (primary == null || !dataNodes.get(port).alive()) {
                return false;
            }
            for (int node : dataNodes.keySet()) {
                if (node != primary && !replicates(node, primary)) {
                    return false;
                }
            }
            return true;
        }, WAIT, "node " + port + " back in the replication pair", processes());
    }

    private boolean replicates(int node, int primary) {
        List<?> role = role(node);
        return role != null && "slave".equals(role.get(0))
                && Long.valueOf(primary).equals(Long.valueOf(role.get(2).toString()))
                && "connected".equals(role.get(3))
                && "up".equals(Resp.info(node, "replication").get("master_link_status"));
    }

    /**
     * Cuts the replica's replication link while it stays a healthy replica in Sentinel's eyes: the primary disables
     * the replication user and drops its connections, so the replica fails to authenticate on every attempt to
     * reconnect and misses every write from now on, until {@link #attachReplica()}. The primary and every other
     * client carry on as before.
     */
    public void detachReplica() {
        int primary = primary();
        Resp.call(primary, "ACL", "SETUSER", REPLICATION_USER, "off");
        Resp.call(primary, "CLIENT", "KILL", "USER", REPLICATION_USER);
        for (int replica : runningDataNodes()) {
            if (replica != primary) {
                RedisProcess.await(() -> "down".equals(Resp.info(replica, "replication").get("master_link_status")),
                        WAIT, "replica " + replica + " detached", processes());
            }
        }
    }

    /** Lets the replica authenticate to the primary again, and waits until its link is up. */
    public void attachReplica() {
        int primary = primary();
        Resp.call(primary, "ACL", "SETUSER", REPLICATION_USER, "on");
        for (int replica : runningDataNodes()) {
            if (replica != primary) {
                awaitLinkUp(replica);
            }
        }
    }

    // ---- helpers

    private void awaitLinkUp(int replica) {
        RedisProcess.await(() -> "up".equals(Resp.info(replica, "replication").get("master_link_status")),
                WAIT, "replica " + replica + " linked to its primary", processes());
    }

    /** Waits until every Sentinel names {@code primary} and knows its replica, so a failover can promote it. */
    private void awaitSentinelsAgree(int primary) {
        RedisProcess.await(() -> sentinels.stream().allMatch(sentinel -> {
            Object replicas = Resp.tryCall(sentinel.port, "SENTINEL", "REPLICAS", MASTER_NAME);
            Object known = Resp.tryCall(sentinel.port, "SENTINEL", "SENTINELS", MASTER_NAME);
            return Objects.equals(masterPortKnownTo(sentinel), primary)
                    && replicas instanceof List<?> list && list.size() == dataNodes.size() - 1
                    && known instanceof List<?> others && others.size() == sentinels.size() - 1;
        }), WAIT, "Sentinels agreeing on primary " + primary + ", its replica and each other", processes());
    }

    /** The primary every Sentinel names, or null while they differ or one does not answer. */
    private Integer agreedPrimary() {
        List<Integer> named = sentinels.stream().map(this::masterPortKnownTo).distinct().toList();
        return named.size() == 1 ? named.get(0) : null;
    }

    private Integer masterPortKnownTo(RedisProcess sentinel) {
        Object reply = Resp.tryCall(sentinel.port, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME);
        return reply instanceof List<?> address && address.size() == 2
                ? Integer.valueOf(address.get(1).toString()) : null;
    }

    private boolean isMaster(int port) {
        List<?> role = role(port);
        return role != null && "master".equals(role.get(0));
    }

    private List<RedisProcess> processes() {
        List<RedisProcess> all = new ArrayList<>(dataNodes.values());
        all.addAll(sentinels);
        return all;
    }

    @Override
    public String toString() {
        return "Sentinel topology: data nodes " + dataNodes.keySet() + ", sentinels "
                + sentinels.stream().map(sentinel -> String.valueOf(sentinel.port)).collect(Collectors.joining(", "));
    }

    /**
     * Stops every process (SIGKILL: nothing of theirs is needed afterwards) and removes their directories. A
     * topology not closed loses its processes when the JVM exits.
     */
    @Override
    public synchronized void close() {
        sentinels.forEach(RedisProcess::destroy);
        dataNodes.values().forEach(RedisProcess::destroy);
    }

    /**
     * The test resource: starts a topology for a {@code @QuarkusTest} profile, configures the application's Redis
     * client for it, fills in fields of type {@link SentinelTopology} marked {@link Inject}, and stops it.
     */
    public static final class Resource implements QuarkusTestResourceLifecycleManager {

        private SentinelTopology topology;

        @Override
        public Map<String, String> start() {
            topology = SentinelTopology.launch();
            return topology.clientConfig();
        }

        @Override
        public void inject(TestInjector injector) {
            injector.injectIntoFields(topology,
                    new TestInjector.AnnotatedAndMatchesType(Inject.class, SentinelTopology.class));
        }

        @Override
        public void stop() {
            if (topology != null) {
                topology.close();
            }
        }
    }
}
