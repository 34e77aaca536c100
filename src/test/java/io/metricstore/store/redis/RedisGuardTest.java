package io.metricstore.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.Test;

/** The Retry-After of a 503 is the circuit breaker's delay, read from the keys Fault Tolerance reads it from. */
class RedisGuardTest {

    private static final String METHOD = "io.metricstore.store.redis.RedisGuard/call/CircuitBreaker/delay";
    private static final String METHOD_UNIT = "io.metricstore.store.redis.RedisGuard/call/CircuitBreaker/delayUnit";
    private static final String GLOBAL = "CircuitBreaker/delay";
    private static final String GLOBAL_UNIT = "CircuitBreaker/delayUnit";

    private static Duration retryAfter(String... properties) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < properties.length; i += 2) {
            values.put(properties[i], properties[i + 1]);
        }
        Config config = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(values, "test", 500))
                .build();
        return new RedisGuard(null, config).retryAfter();
    }

    @Test
    void theBreakersDelayIsTheRetryAfterAndTheMostSpecificKeyWins() {
        assertThat(retryAfter()).isEqualTo(Duration.ofSeconds(5));
        assertThat(retryAfter(GLOBAL, "7000")).isEqualTo(Duration.ofSeconds(7));
        assertThat(retryAfter(GLOBAL, "7000", METHOD, "2500")).isEqualTo(Duration.ofMillis(2500));
        assertThat(retryAfter(METHOD, "10", METHOD_UNIT, "SECONDS")).isEqualTo(Duration.ofSeconds(10));
        assertThat(retryAfter(METHOD, "2", GLOBAL_UNIT, "MINUTES")).isEqualTo(Duration.ofMinutes(2));
    }
}
