package io.metricstore.api;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.metricstore.store.StoreConfig;
import io.metricstore.store.TestConfigs;
import io.quarkus.runtime.configuration.ConfigurationException;
import java.time.Duration;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class ConnectionLimitsTest {

    private final StoreConfig.Changes changes = TestConfigs.config().changes();

    @Test
    void theDefaultsFit() {
        assertThatCode(() -> ConnectionLimits.check(Duration.ofSeconds(60), OptionalInt.of(11_000), changes))
                .doesNotThrowAnyException();
        assertThatCode(() -> ConnectionLimits.check(Duration.ofSeconds(31), OptionalInt.empty(), changes))
                .doesNotThrowAnyException();
    }

    @Test
    void anIdleTimeoutNoLongerThanTheLongestLongPollNamesBothProperties() {
        assertThatThrownBy(() -> ConnectionLimits.check(Duration.ofSeconds(30), OptionalInt.empty(), changes))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("quarkus.http.idle-timeout").hasMessageContaining("store.changes.max-wait");
    }

    @Test
    void tooFewConnectionsForTheWaitersNamesBothProperties() {
        assertThatThrownBy(() -> ConnectionLimits.check(Duration.ofSeconds(60), OptionalInt.of(10_000), changes))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("quarkus.http.limits.max-connections")
                .hasMessageContaining("store.changes.max-waiters");
    }

    @Test
    void aRequestLineTooShortForThePageTokensNamesBothProperties() {
        StoreConfig.Limits limits = TestConfigs.config().limits();
        assertThatCode(() -> ConnectionLimits.checkLineLength(16_384, limits)).doesNotThrowAnyException();
        assertThatThrownBy(() -> ConnectionLimits.checkLineLength(4096, limits))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("quarkus.http.limits.max-initial-line-length")
                .hasMessageContaining("store.limits.max-series-bytes");
        assertThatThrownBy(() -> ConnectionLimits.checkLineLength(16_384,
                TestConfigs.config("store.limits.max-series-bytes", "8192").limits()))
                .isInstanceOf(ConfigurationException.class);
    }
}
