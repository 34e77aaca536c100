package io.metricstore.auth;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;
import java.util.Map;

/** Authentication on (memory backend), the key set read from a file. */
public class AuthProfile implements QuarkusTestProfile {

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(AuthFixture.class, Map.of("jwks", "file")));
    }
}
