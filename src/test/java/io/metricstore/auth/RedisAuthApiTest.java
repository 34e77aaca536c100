package io.metricstore.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

/**
 * The same rules on the Redis backend, the issuer's key set fetched over HTTP with the projected token, as a pod
 * fetches it from the API server's {@code /openid/v1/jwks}.
 */
@QuarkusTest
@TestProfile(RedisAuthProfile.class)
class RedisAuthApiTest extends AuthApiTest {

    @Test
    void theKeySetWasFetchedWithTheProjectedToken() {
        assertThat(AuthFixture.JWKS_FETCHES.get()).isPositive();
    }
}
