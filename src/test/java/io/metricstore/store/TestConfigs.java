package io.metricstore.store;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** Builds {@link StoreConfig} the way Quarkus does, from properties, with the same duration syntax. */
public final class TestConfigs {

    private TestConfigs() {
    }

    /** The defaults, overridden by alternating property names and values. */
    public static StoreConfig config(String... overrides) {
        Map<String, String> properties = new HashMap<>();
        for (int i = 0; i < overrides.length; i += 2) {
            properties.put(overrides[i], overrides[i + 1]);
        }
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(StoreConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withSources(new PropertiesConfigSource(properties, "test", 500))
                .build();
        return config.getConfigMapping(StoreConfig.class);
    }
}
