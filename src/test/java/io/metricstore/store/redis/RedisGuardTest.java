package io.metricstore.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.metricstore.store.Breaker;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.Test;

/**
 * The Retry-After of a 503 is the delay of the breaker that refused, and a round trip's timeout the guard's, each read
 * from the keys Fault Tolerance reads it from.
 */
class RedisGuardTest {

    private static final String METHOD = "io.metricstore.store.redis.RedisGuard/call/CircuitBreaker/delay";
    private static final String METHOD_UNIT = "io.metricstore.store.redis.RedisGuard/call/CircuitBreaker/delayUnit";
    private static final String WRITES = "io.metricstore.store.redis.RedisWriteGuard/call/CircuitBreaker/delay";
    private static final String WRITES_UNIT = "io.metricstore.store.redis.RedisWriteGuard/call/CircuitBreaker/delayUnit";
    private static final String GLOBAL = "CircuitBreaker/delay";
    private static final String GLOBAL_UNIT = "CircuitBreaker/delayUnit";

    private static RedisGuard guard(String... properties) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < properties.length; i += 2) {
            values.put(properties[i], properties[i + 1]);
        }
        Config config = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(values, "test", 500))
                .build();
        return new RedisGuard(null, config);
    }

    private static Duration retryAfter(String... properties) {
        return guard(properties).retryAfter(Breaker.READS);
    }

    private static Duration writesRetryAfter(String... properties) {
        return guard(properties).retryAfter(Breaker.WRITES);
    }

    @Test
    void theBreakersDelayIsTheRetryAfterAndTheMostSpecificKeyWins() {
        assertThat(retryAfter()).isEqualTo(Duration.ofSeconds(5));
        assertThat(retryAfter(GLOBAL, "7000")).isEqualTo(Duration.ofSeconds(7));
        assertThat(retryAfter(GLOBAL, "7000", METHOD, "2500")).isEqualTo(Duration.ofMillis(2500));
        assertThat(retryAfter(METHOD, "10", METHOD_UNIT, "SECONDS")).isEqualTo(Duration.ofSeconds(10));
        assertThat(retryAfter(METHOD, "2", GLOBAL_UNIT, "MINUTES")).isEqualTo(Duration.ofMinutes(2));
    }

    /** The writes breaker has keys of its own; the global key sets both, and the reads breaker's only the reads. */
    @Test
    void eachBreakerHasItsOwnDelay() {
        assertThat(writesRetryAfter()).isEqualTo(Duration.ofSeconds(5));
        assertThat(writesRetryAfter(GLOBAL, "7000")).isEqualTo(Duration.ofSeconds(7));
        assertThat(writesRetryAfter(METHOD, "2500")).isEqualTo(Duration.ofSeconds(5));
        assertThat(writesRetryAfter(GLOBAL, "7000", WRITES, "30", WRITES_UNIT, "SECONDS"))
                .isEqualTo(Duration.ofSeconds(30));
        assertThat(retryAfter(WRITES, "30000")).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void theTimeoutIsReadFromTheSameKeys() {
        assertThat(guard().timeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(guard("Timeout/value", "2000").timeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(guard("io.metricstore.store.redis.RedisGuard/call/Timeout/value", "3",
                "io.metricstore.store.redis.RedisGuard/call/Timeout/unit", "SECONDS").timeout())
                .isEqualTo(Duration.ofSeconds(3));
    }
}
