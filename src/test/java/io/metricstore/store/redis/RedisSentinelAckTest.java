package io.metricstore.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.metricstore.PackagedJar;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Failovers on Sentinel with {@code store.redis.min-replicas-ack=1}: a write is acknowledged only once the replica has
 * it, so no failover loses an acknowledged point or lock.
 */
@QuarkusTest
@TestProfile(RedisSentinelAckTest.ReplicaAcknowledges.class)
class RedisSentinelAckTest extends SentinelFailovers {

    public static class ReplicaAcknowledges extends RedisSentinelProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("store.redis.min-replicas-ack", "1");
        }
    }

    @SentinelTopology.Inject
    SentinelTopology sentinel;

    @Override
    SentinelTopology sentinel() {
        return sentinel;
    }

    @Override
    boolean replicaAcknowledges() {
        return true;
    }

    /**
     * The replica misses the writes (its link is down), then the primary crashes and the replica is promoted: the
     * writes it missed were never acknowledged (503), so nothing acknowledged is lost.
     */
    @Test
    void writesAReplicaMissedWereNeverAcknowledged() throws InterruptedException {
        post("sentinel_lagging_ack", "kept").statusCode(200);
        sentinel.detachReplica();
        List<String> acknowledged = new ArrayList<>(List.of(id("sentinel_lagging_ack", "kept")));
        for (int n = 0; n < 5; n++) {
            int status = post("sentinel_lagging_ack", Integer.toString(n)).extract().statusCode();
            assertThat(status).as("write %d", n).isEqualTo(503);
        }
        int killed = sentinel.killPrimary();
        sentinel.awaitFailover(killed);
        sentinel.restart(killed);
        sentinel.awaitReplica(killed);
        PackagedJar.await(() -> PackagedJar.answers(uri("/q/health/ready").toString(), 200), RECOVERY,
                "readiness UP after the failover");
        Set<String> stored = stored("sentinel_lagging_ack");
        assertThat(stored).containsAll(acknowledged);
        post("sentinel_lagging_ack", "after").statusCode(200);
    }
}
