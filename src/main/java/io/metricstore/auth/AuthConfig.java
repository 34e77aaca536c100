package io.metricstore.auth;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code store.auth.*}: whether callers must authenticate, where identities come from, which roles they hold. */
@ConfigMapping(prefix = "store.auth")
public interface AuthConfig {

    /** Off only by an explicit {@code false} (the dev and test profiles), which logs a warning in prod. */
    @WithDefault("true")
    boolean enabled();

    /** Lines {@code <identity> <sha256 of the token, lowercase hex>}; {@code #} starts a comment. */
    Optional<Path> tokensFile();

    Kubernetes kubernetes();

    /** {@code store.auth.grants.<role>}: the identities holding each role. */
    Map<String, List<String>> grants();

    interface Kubernetes {

        /** The service-account issuer's JWKS: an {@code http(s)} URL or a file. */
        Optional<String> jwks();

        /** The expected {@code iss} claim. */
        Optional<String> issuer();

        @WithDefault("metric-store")
        String audience();

        /** A projected token sent when fetching the JWKS from a URL (the API server asks for one); re-read each time. */
        Optional<Path> tokenFile();

        /** The TLS registry configuration trusted when fetching the JWKS from an {@code https} URL. */
        Optional<String> tlsConfigurationName();

        /** How often the JWKS is read again; an unknown key id also triggers a read, at most every 30 s. */
        @WithDefault("5m")
        Duration refresh();
    }
}
