package io.metricstore.store.redis;

import static io.metricstore.api.ApiTest.post;
import static io.metricstore.api.ApiTest.scrape;
import static io.metricstore.api.ApiTest.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.metricstore.api.ApiTest;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

/**
 * The whole HTTP surface again, with the application on a real three-node Redis Cluster ({@link ClusterTopology}):
 * the answers must be the same as on one Redis, readiness (a {@code PING}, which has no key to route by) included.
 */
@QuarkusTest
@TestProfile(RedisClusterProfile.class)
class RedisClusterApiTest extends ApiTest {

    @ClusterTopology.Inject
    ClusterTopology cluster;

    @Override
    protected String backend() {
        return "redis";
    }

    @Test
    void theNamespaceLivesOnTheNodeThatOwnsItsHashTag() {
        post("/api/v1/points", scrape("{\"name\":\"" + unique("cluster") + "\",\"value\":1}")).statusCode(200);
        int owner = cluster.ownerOf("{metric-store}:seq");
        assertThat(cluster.call(owner, "EXISTS", "{metric-store}:meta", "{metric-store}:seq", "{metric-store}:index"))
                .isEqualTo(3L);
    }
}
