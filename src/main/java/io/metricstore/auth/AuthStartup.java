package io.metricstore.auth;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Startup;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.jboss.logging.Logger;

/**
 * Checks {@code store.auth.*} at start-up, naming every bad property, and holds the identity sources it configures:
 * the static tokens and the Kubernetes service-account tokens, whose key set it reads at start and again every
 * {@code store.auth.kubernetes.refresh} (every 30 s until a first read works).
 */
@Startup
@Singleton
public class AuthStartup {

    private static final Logger LOG = Logger.getLogger(AuthStartup.class);

    private final boolean enabled;
    private final Optional<StaticTokens> staticTokens;
    private final Optional<ServiceAccountTokens> serviceAccounts;
    private final long refreshNanos;
    private volatile long readAt;
    private volatile boolean loaded;

    public AuthStartup(AuthConfig config, TlsConfigurationRegistry tls) {
        this.enabled = config.enabled();
        this.refreshNanos = config.kubernetes().refresh().toNanos();
        if (!enabled) {
            staticTokens = Optional.empty();
            serviceAccounts = Optional.empty();
            if (LaunchMode.current() == LaunchMode.NORMAL) {
                LOG.warn("store.auth.enabled=false: every caller of /api/v1 and /metrics is trusted with every role; "
                        + "set store.auth.tokens-file or store.auth.kubernetes.jwks instead (README, Securing it)");
            }
            return;
        }
        List<String> problems = new ArrayList<>();
        staticTokens = staticTokens(config, problems);
        serviceAccounts = serviceAccounts(config, tls, problems);
        config.grants().keySet().stream().filter(role -> !Roles.ALL.contains(role)).sorted().forEach(role ->
                problems.add("store.auth.grants." + role + " names no role: the roles are " + String.join(", ",
                        Roles.ALL.stream().sorted().toList())));
        if (staticTokens.isEmpty() && serviceAccounts.isEmpty() && problems.isEmpty()) {
            problems.add("store.auth.enabled=true needs an identity source: set store.auth.tokens-file (static "
                    + "bearer tokens) or store.auth.kubernetes.jwks and store.auth.kubernetes.issuer (Kubernetes "
                    + "service-account tokens), or run open with store.auth.enabled=false");
        }
        if (!problems.isEmpty()) {
            throw new ConfigurationException("Invalid configuration: " + String.join("; ", problems));
        }
        refreshNow();
    }

    private static Optional<StaticTokens> staticTokens(AuthConfig config, List<String> problems) {
        if (config.tokensFile().isEmpty()) {
            return Optional.empty();
        }
        try {
            StaticTokens tokens = StaticTokens.read(config.tokensFile().get());
            LOG.infof("static bearer tokens: %d identities from store.auth.tokens-file", tokens.size());
            return Optional.of(tokens);
        } catch (IOException e) {
            problems.add("store.auth.tokens-file " + config.tokensFile().get() + " cannot be read: " + e);
        } catch (IllegalArgumentException e) {
            problems.add("store.auth.tokens-file " + config.tokensFile().get() + ": " + e.getMessage());
        }
        return Optional.empty();
    }

    private static Optional<ServiceAccountTokens> serviceAccounts(AuthConfig config, TlsConfigurationRegistry tls,
                                                                  List<String> problems) {
        AuthConfig.Kubernetes kubernetes = config.kubernetes();
        if (kubernetes.jwks().isEmpty()) {
            return Optional.empty();
        }
        String location = kubernetes.jwks().get();
        int before = problems.size();
        if (kubernetes.issuer().isEmpty() || kubernetes.issuer().get().isBlank()) {
            problems.add("store.auth.kubernetes.jwks needs store.auth.kubernetes.issuer: the cluster's "
                    + "service-account issuer (kubectl get --raw /.well-known/openid-configuration)");
        }
        if (!Jwks.isUrl(location) && !Files.isReadable(Path.of(location))) {
            problems.add("store.auth.kubernetes.jwks " + location + " is neither an http(s) URL nor a readable file");
        }
        kubernetes.tokenFile().filter(file -> !Files.isReadable(file)).ifPresent(file -> problems.add(
                "store.auth.kubernetes.token-file " + file + " cannot be read"));
        if (kubernetes.refresh().isNegative() || kubernetes.refresh().isZero()) {
            problems.add("store.auth.kubernetes.refresh must be a positive duration, got " + kubernetes.refresh());
        }
        Optional<SSLContext> context = Optional.empty();
        if (kubernetes.tlsConfigurationName().isPresent()) {
            String name = kubernetes.tlsConfigurationName().get();
            Optional<TlsConfiguration> found = tls.get(name);
            if (found.isEmpty()) {
                problems.add("store.auth.kubernetes.tls-configuration-name names no TLS configuration: set "
                        + "quarkus.tls." + name + ".trust-store.* (for example .pem.certs, the API server's CA)");
            } else {
                try {
                    context = Optional.of(found.get().createSSLContext());
                } catch (Exception e) {
                    problems.add("quarkus.tls." + name + " cannot be used: " + e.getMessage());
                }
            }
        }
        if (problems.size() > before) {
            return Optional.empty();
        }
        return Optional.of(new ServiceAccountTokens(Jwks.of(location, kubernetes.tokenFile(), context),
                kubernetes.issuer().get(), kubernetes.audience()));
    }

    Optional<StaticTokens> staticTokens() {
        return staticTokens;
    }

    Optional<ServiceAccountTokens> serviceAccounts() {
        return serviceAccounts;
    }

    /** Reads the key set again when it is due, or at once after a token named an unknown key. */
    @Scheduled(every = "30s", delayed = "30s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refreshWhenDue() {
        if (serviceAccounts.isPresent() && (!loaded || System.nanoTime() - readAt >= refreshNanos)) {
            refreshNow();
        }
    }

    /** Off the calling thread: requests never wait for a file or the API server. */
    void refreshSoon() {
        Infrastructure.getDefaultWorkerPool().execute(this::refreshNow);
    }

    private void refreshNow() {
        serviceAccounts.ifPresent(tokens -> {
            loaded = tokens.refresh();
            readAt = System.nanoTime();
        });
    }
}
