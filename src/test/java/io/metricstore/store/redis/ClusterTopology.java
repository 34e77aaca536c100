package io.metricstore.store.redis;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real Redis Cluster for the tests: three primaries without replicas, {@code redis-server} processes of the binary
 * {@link RedisTestServer} uses, each with its own {@code nodes.conf} and AOF (fsync on every write). Slots are
 * assigned and the nodes introduced to each other with {@code CLUSTER ADDSLOTS} and {@code CLUSTER MEET} over a
 * plain socket, which works on Redis 6.2 and 7 alike and needs no {@code redis-cli}. Node {@code i} (from 0) owns
 * the slots from {@code i * 16384 / 3} to just below {@code (i + 1) * 16384 / 3}.
 */
public final class ClusterTopology implements AutoCloseable {

    /** Marks the field {@link Resource} fills in. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface Inject {
    }

    private static final int SLOTS = 16384;
    private static final int NODES = 3;
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final List<RedisProcess> nodes = new ArrayList<>();

    private ClusterTopology() {
    }

    /** Starts the nodes, assigns the slots, joins them and waits until every node reports the cluster ok. */
    public static ClusterTopology launch() {
        ClusterTopology cluster = new ClusterTopology();
        try {
            for (int i = 0; i < NODES; i++) {
                cluster.nodes.add(RedisProcess.launch("cluster-" + i, false, true, port -> List.of(
                        "cluster-enabled yes", "cluster-config-file nodes.conf", "cluster-node-timeout 2000",
                        "appendonly yes", "appendfsync always", "save \"\"")));
            }
            for (int i = 0; i < NODES; i++) {
                RedisProcess node = cluster.nodes.get(i);
                List<String> addSlots = new ArrayList<>(List.of("CLUSTER", "ADDSLOTS"));
                for (int slot = firstSlot(i); slot < firstSlot(i + 1); slot++) {
                    addSlots.add(Integer.toString(slot));
                }
                node.call(addSlots.toArray(String[]::new));
                // Distinct configuration epochs, as redis-cli sets them, so no epoch collision has to be resolved.
                node.call("CLUSTER", "SET-CONFIG-EPOCH", Integer.toString(i + 1));
            }
            for (int i = 1; i < NODES; i++) {
                cluster.nodes.get(0).call("CLUSTER", "MEET", "127.0.0.1", Integer.toString(cluster.nodes.get(i).port));
            }
            RedisProcess.await(cluster::ok, WAIT, "cluster_state:ok on every node", cluster.nodes);
            return cluster;
        } catch (RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
    }

    private static int firstSlot(int node) {
        return node * SLOTS / NODES;
    }

    private boolean ok() {
        return nodes.stream().allMatch(node -> {
            Object info = Resp.tryCall(node.port, "CLUSTER", "INFO");
            return info instanceof String text && text.contains("cluster_state:ok")
                    && text.contains("cluster_known_nodes:" + NODES) && text.contains("cluster_slots_ok:" + SLOTS);
        });
    }

    /** {@code redis://127.0.0.1:port} of each node. */
    public List<String> nodeUrls() {
        return nodes.stream().map(node -> "redis://127.0.0.1:" + node.port).toList();
    }

    /** The Quarkus Redis client configuration for this cluster, as the README gives it, and the Redis backend. */
    public Map<String, String> clientConfig() {
        return Map.of("store.backend", "redis",
                "quarkus.redis.client-type", "cluster",
                "quarkus.redis.hosts", String.join(",", nodeUrls()),
                "quarkus.redis.replicas", "never");
    }

    /** The port of the node that owns {@code key}'s slot. */
    public int ownerOf(String key) {
        int slot = ClusterSlots.of(key);
        for (int i = NODES - 1; i >= 0; i--) {
            if (slot >= firstSlot(i)) {
                return nodes.get(i).port;
            }
        }
        throw new IllegalStateException("slot " + slot);
    }

    /** Sends a command to a node over a plain socket. */
    public Object call(int port, String... command) {
        return Resp.call(port, command);
    }

    @Override
    public String toString() {
        return "Cluster topology: nodes " + nodes;
    }

    /** Stops every node (SIGKILL: nothing of theirs is needed afterwards) and removes their directories. */
    @Override
    public synchronized void close() {
        nodes.forEach(RedisProcess::destroy);
    }

    /**
     * The test resource: starts a cluster for a {@code @QuarkusTest} profile, configures the application's Redis
     * client for it, fills in fields of type {@link ClusterTopology} marked {@link Inject}, and stops it.
     */
    public static final class Resource implements QuarkusTestResourceLifecycleManager {

        private ClusterTopology cluster;

        @Override
        public Map<String, String> start() {
            cluster = ClusterTopology.launch();
            return cluster.clientConfig();
        }

        @Override
        public void inject(TestInjector injector) {
            injector.injectIntoFields(cluster,
                    new TestInjector.AnnotatedAndMatchesType(Inject.class, ClusterTopology.class));
        }

        @Override
        public void stop() {
            if (cluster != null) {
                cluster.close();
            }
        }
    }
}
