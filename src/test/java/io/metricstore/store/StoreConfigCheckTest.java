package io.metricstore.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.runtime.configuration.ConfigurationException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class StoreConfigCheckTest {

    @Test
    void theDefaultsAreValid() {
        assertThatCode(() -> StoreConfigCheck.check(TestConfigs.config())).doesNotThrowAnyException();
    }

    @Test
    void theInputLimitsHaveTheirPinnedDefaults() {
        StoreConfig config = TestConfigs.config();
        assertThat(config.limits().maxErrors()).isEqualTo(100);
        assertThat(config.limits().maxSeriesBytes()).isEqualTo(4096);
        assertThat(config.maxClockSkew()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.limits().writeTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThatCode(() -> StoreConfigCheck.check(TestConfigs.config("store.limits.max-errors", "1",
                "store.limits.max-series-bytes", "1", "store.max-clock-skew", "0s"))).doesNotThrowAnyException();
    }

    @Test
    void everyBadPropertyIsNamed() {
        assertThatThrownBy(() -> StoreConfigCheck.check(TestConfigs.config(
                "store.retention", "0s",
                "store.gc.interval", "-1s",
                "store.changes.tombstone-retention", "PT0.0001S",
                "store.locks.max-ttl", "0s",
                "store.max-clock-skew", "-1s",
                "store.max-series", "0",
                "store.max-batch", "-1",
                "store.limits.max-labels", "-1",
                "store.limits.max-name-length", "0",
                "store.limits.max-label-name-length", "0",
                "store.limits.max-label-value-length", "0",
                "store.limits.max-series-bytes", "0",
                "store.limits.max-errors", "0",
                "store.limits.write-timeout", "0s",
                "store.namespace", "has space",
                "store.max-replica-skew", "0s",
                "store.redis.min-replicas-ack", "-1",
                "store.redis.min-replicas-ack-timeout", "0s",
                "store.changes.max-wait", "0s",
                "store.changes.max-waiters", "0",
                "store.changes.bookmark-interval", "11s")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContainingAll("store.retention", "store.gc.interval", "store.changes.tombstone-retention",
                        "store.locks.max-ttl", "store.max-clock-skew", "store.max-series", "store.max-batch",
                        "store.limits.max-labels", "store.limits.max-name-length",
                        "store.limits.max-label-name-length", "store.limits.max-label-value-length",
                        "store.limits.max-series-bytes must be at least 1", "store.limits.max-errors must be at least 1",
                        "store.limits.write-timeout must be a positive duration",
                        "store.namespace", "store.max-replica-skew", "store.redis.min-replicas-ack",
                        "store.redis.min-replicas-ack-timeout", "store.changes.max-wait", "store.changes.max-waiters",
                        "store.changes.bookmark-interval must be at most 10s");
    }

    @Test
    void anUnknownBackendIsRefusedByName() {
        assertThatThrownBy(() -> TestConfigs.config("store.backend", "mongo")).hasMessageContaining("store.backend");
    }
}
