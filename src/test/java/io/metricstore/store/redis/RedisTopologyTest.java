package io.metricstore.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The test topologies themselves, without the application: what the operations tests rely on must hold on every
 * Redis version the tests run on (the embedded 6.2 and, in CI, Debian's 7).
 */
class RedisTopologyTest {

    /**
     * A detached replica misses writes yet is promoted when the primary crashes, so those writes are lost: the
     * situation that acknowledged writes must survive once the service waits for a replica's acknowledgement.
     */
    @Test
    void aDetachedReplicaMissesWritesAndIsStillPromoted() {
        try (SentinelTopology sentinel = SentinelTopology.launch()) {
            int primary = sentinel.primary();
            int replica = sentinel.runningDataNodes().stream().filter(port -> port != primary).findFirst()
                    .orElseThrow();
            sentinel.call(primary, "SET", "replicated", "1");
            sentinel.call(primary, "WAIT", "1", "5000");
            assertThat(sentinel.call(replica, "GET", "replicated")).isEqualTo("1");

            sentinel.detachReplica();
            sentinel.call(primary, "SET", "missed", "1");
            assertThat(sentinel.call(primary, "WAIT", "1", "500")).isEqualTo(0L);
            assertThat(sentinel.call(replica, "GET", "missed")).isNull();
            assertThat(sentinel.role(replica).get(0)).isEqualTo("slave");

            assertThat(sentinel.killPrimary()).isEqualTo(primary);
            assertThat(sentinel.awaitFailover(primary)).isEqualTo(replica);
            assertThat(sentinel.call(replica, "GET", "replicated")).isEqualTo("1");
            assertThat(sentinel.call(replica, "GET", "missed")).isNull();
            assertThat(sentinel.runningDataNodes()).containsExactly(replica);
        }
    }

    @Test
    void aReattachedReplicaCatchesUp() {
        try (SentinelTopology sentinel = SentinelTopology.launch()) {
            int primary = sentinel.primary();
            int replica = sentinel.runningDataNodes().stream().filter(port -> port != primary).findFirst()
                    .orElseThrow();
            sentinel.detachReplica();
            sentinel.call(primary, "SET", "missed", "1");
            sentinel.attachReplica();
            assertThat(sentinel.call(primary, "WAIT", "1", "5000")).isEqualTo(1L);
            assertThat(sentinel.call(replica, "GET", "missed")).isEqualTo("1");
        }
    }

    @Test
    void eachClusterNodeServesItsOwnSlots() {
        try (ClusterTopology cluster = ClusterTopology.launch()) {
            List<String> urls = cluster.nodeUrls();
            assertThat(urls).hasSize(3).doesNotHaveDuplicates();
            int owner = cluster.ownerOf("{metric-store}:seq");
            assertThat(cluster.call(owner, "SET", "{metric-store}:seq", "1")).isEqualTo("OK");
            for (String url : urls) {
                int port = Integer.parseInt(url.substring(url.lastIndexOf(':') + 1));
                assertThat(cluster.call(port, "CLUSTER", "INFO").toString()).contains("cluster_state:ok");
                if (port != owner) {
                    assertThatThrownBy(() -> cluster.call(port, "GET", "{metric-store}:seq"))
                            .hasMessage("MOVED " + ClusterSlots.of("{metric-store}:seq") + " 127.0.0.1:" + owner);
                }
            }
        }
    }
}
