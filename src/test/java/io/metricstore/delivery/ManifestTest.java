package io.metricstore.delivery;

import static io.metricstore.delivery.Manifests.at;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The manifests against each other and against the application's own configuration. */
@SuppressWarnings("unchecked")
class ManifestTest {

    private static final String CLIENT_LABEL = "metric-store.io/client";

    /**
     * store.* names are checked against StoreConfig; the store.auth.* ones SPEC §4 fixes are listed here, because
     * grants are a map keyed by role (no fixed property to compare with). ManifestIT authenticates through those
     * the manifests set, and checks the QUARKUS_* names against the running application.
     */
    private static final Set<String> AUTH_PROPERTIES = Set.of("STORE_AUTH_TOKENS_FILE", "STORE_AUTH_KUBERNETES_JWKS",
            "STORE_AUTH_KUBERNETES_ISSUER", "STORE_AUTH_KUBERNETES_AUDIENCE", "STORE_AUTH_KUBERNETES_TOKEN_FILE",
            "STORE_AUTH_KUBERNETES_TLS_CONFIGURATION_NAME", "STORE_AUTH_GRANTS_READER", "STORE_AUTH_GRANTS_WRITER",
            "STORE_AUTH_GRANTS_LOCKER", "STORE_AUTH_GRANTS_ADMIN");

    private final Manifests manifests = new Manifests();
    private final Map<String, Object> deployment = manifests.find("Deployment", "metric-store");
    private final Map<String, Object> pod = at(deployment, "spec", "template");
    private final Manifests monitoring = new Manifests(Manifests.K8S.resolve("monitoring"));
    private final List<Object> example = Manifests.load(Manifests.K8S.resolve("examples").resolve("exporter-client.yaml"));

    private Map<String, Object> exampleClient(String kind) {
        return example.stream().map(d -> (Map<String, Object>) d).filter(d -> kind.equals(d.get("kind"))).findFirst()
                .orElseThrow();
    }

    /** The service container's port of that name. */
    private int port(String name) {
        List<Map<String, Object>> ports = at(manifests.container(), "ports");
        return ports.stream().filter(p -> name.equals(p.get("name"))).map(p -> (Integer) p.get("containerPort"))
                .findFirst().orElseThrow(() -> new AssertionError("no container port " + name));
    }

    private static Map<String, Object> variable(Map<String, Object> container, String name) {
        List<Map<String, Object>> env = at(container, "env");
        return env.stream().filter(e -> name.equals(e.get("name"))).findFirst().orElseThrow();
    }

    /** A file in the service container, as the volume it comes from and its path in that volume. */
    private record MountedFile(Map<String, Object> volume, String path) {
    }

    private MountedFile mountedFile(String file) {
        assertThat(file).as("a file the environment names").isNotNull();
        List<Map<String, Object>> mounts = at(manifests.container(), "volumeMounts");
        Map<String, Object> mount = mounts.stream().filter(m -> file.startsWith(m.get("mountPath") + "/")).findFirst()
                .orElseThrow(() -> new AssertionError(file + " is in no mounted volume"));
        assertThat(mount).as("the mount of %s", file).containsEntry("readOnly", true);
        List<Map<String, Object>> volumes = at(pod, "spec", "volumes");
        Map<String, Object> volume = volumes.stream().filter(v -> v.get("name").equals(mount.get("name"))).findFirst()
                .orElseThrow();
        return new MountedFile(volume, file.substring(mount.get("mountPath").toString().length() + 1));
    }

    /** Calls {@code visit} on every mapping in the tree. */
    private static void walk(Object node, Consumer<Map<String, Object>> visit) {
        if (node instanceof Map<?, ?> map) {
            visit.accept((Map<String, Object>) map);
            map.values().forEach(value -> walk(value, visit));
        } else if (node instanceof List<?> list) {
            list.forEach(element -> walk(element, visit));
        }
    }

    private static String kubernetesSectionOfTheReadme() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("\n### Kubernetes\n");
        assertThat(start).as("the README's Kubernetes section").isNotNegative();
        int end = readme.indexOf("\n## ", start);
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    private static Properties applicationProperties() throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of("src", "main", "resources", "application.properties"))) {
            properties.load(reader);
        }
        return properties;
    }

    @Test
    void everyListedResourceExistsAndParses() {
        assertThat(manifests.resources).extracting(r -> r.get("kind")).contains("ServiceAccount", "ConfigMap",
                "Deployment", "Service", "PodDisruptionBudget", "NetworkPolicy", "StatefulSet");
        assertThat(monitoring.resources).containsAll(manifests.resources);
        assertThat(monitoring.all("PodMonitor")).hasSize(1);
        assertThat(monitoring.all("ScrapeConfig")).hasSize(1);
        assertThat(manifests.resources).extracting(r -> at(r, "metadata", "name"))
                .as("the example client is applied by the exporter's owner, not with the store").doesNotContain("exporter");
    }

    @Test
    void threeReplicasOverRedis() {
        assertThat((Integer) at(deployment, "spec", "replicas")).isEqualTo(3);
        assertThat(manifests.environment()).containsEntry("STORE_BACKEND", "redis");
        assertThat(manifests.environment()).as("scrapes only under the leader lease")
                .containsEntry("STORE_LEADER_REQUIRE_LEASE", "true");
        assertThat(manifests.environment().get("QUARKUS_REDIS_HOSTS"))
                .isEqualTo("redis://" + at(manifests.find("Service", "metric-store-redis"), "metadata", "name") + ":6379");
    }

    @Test
    void everyConfigurationVariableIsARealProperty() {
        var storeNames = Manifests.storeEnvironmentNames();
        manifests.environment().keySet().stream().filter(name -> name.startsWith("STORE_"))
                .forEach(name -> assertThat(storeNames.contains(name) || AUTH_PROPERTIES.contains(name))
                        .as("%s is a store.* property", name).isTrue());
    }

    @Test
    void noManifestCarriesASecretValue() {
        List<Map<String, Object>> documents = Manifests.everyDocument();
        assertThat(documents).filteredOn(d -> "Secret".equals(d.get("kind")))
                .as("Secrets with values under k8s/: the operator creates them (README)")
                .filteredOn(s -> s.containsKey("data") || s.containsKey("stringData")).isEmpty();
        List<Map<String, Object>> passwords = new ArrayList<>();
        walk(documents, node -> {
            if (node.get("name") instanceof String name && name.contains("PASSWORD") && node.containsKey("value")) {
                passwords.add(node);
            }
        });
        assertThat(passwords).as("password variables with a literal value").isEmpty();
    }

    @Test
    void theRedisPasswordComesFromTheSecret() {
        Map<String, Object> store = variable(manifests.container(), "QUARKUS_REDIS_PASSWORD");
        Map<String, Object> redis = variable(at(manifests.find("StatefulSet", "metric-store-redis"), "spec", "template",
                "spec", "containers", 0), "REDIS_PASSWORD");
        assertThat((Map<String, Object>) at(store, "valueFrom", "secretKeyRef"))
                .isEqualTo(Map.of("name", "metric-store-redis", "key", "password"))
                .isEqualTo(at(redis, "valueFrom", "secretKeyRef"));
    }

    @Test
    void theReadmeCreatesEverySecretTheManifestsUse() throws IOException {
        Set<String> used = new TreeSet<>();
        walk(Manifests.everyDocument(), node -> {
            if (node.get("secretKeyRef") instanceof Map<?, ?> ref) {
                used.add(ref.get("name") + " " + ref.get("key"));
            }
            if (node.get("secret") instanceof Map<?, ?> volume) {
                for (Map<String, Object> item : (List<Map<String, Object>>) volume.get("items")) {
                    used.add(volume.get("secretName") + " " + item.get("key"));
                }
            }
            if (node.get("credentials") instanceof Map<?, ?> credentials) {
                used.add(credentials.get("name") + " " + credentials.get("key"));
            }
        });
        assertThat(used).contains("metric-store-redis password", "metric-store-tokens tokens",
                "metric-store-prometheus-token token");
        Set<String> created = new TreeSet<>();
        Matcher command = Pattern.compile("create secret generic (\\S+)(( --from-(literal|file)=\\S+)+)")
                .matcher(kubernetesSectionOfTheReadme());
        while (command.find()) {
            Matcher key = Pattern.compile("--from-(?:literal|file)=([^=\\s]+)=").matcher(command.group(2));
            while (key.find()) {
                created.add(command.group(1) + " " + key.group(1));
            }
        }
        assertThat(created).as("Secrets and keys the README's Kubernetes section creates").containsAll(used);
    }

    @Test
    void probesUseTheHealthPathsOnTheManagementPort() throws IOException {
        Map<String, Object> container = manifests.container();
        Properties properties = applicationProperties();
        assertThat(port("http")).isEqualTo(Integer.parseInt(properties.getProperty("quarkus.http.port")));
        // 9000 is Quarkus' default for the management interface.
        int management = Integer.parseInt(properties.getProperty("quarkus.management.port", "9000"));
        assertThat(port("management")).isEqualTo(management).isEqualTo(9000);
        assertThat((String) at(container, "startupProbe", "httpGet", "path")).isEqualTo("/q/health/started");
        assertThat((String) at(container, "livenessProbe", "httpGet", "path")).isEqualTo("/q/health/live");
        assertThat((String) at(container, "readinessProbe", "httpGet", "path")).isEqualTo("/q/health/ready");
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            assertThat((String) at(container, probe, "httpGet", "port")).as(probe).isEqualTo("management");
        }
        assertThat((String) at(pod, "metadata", "annotations", "prometheus.io/port"))
                .isEqualTo(Integer.toString(management));
        assertThat((String) at(pod, "metadata", "annotations", "prometheus.io/path"))
                .as("per pod only the own telemetry; the shared series are scraped once, via the Service")
                .isEqualTo("/q/metrics");
    }

    @Test
    void theClientServiceExposesOnlyTheApiPort() {
        Map<String, Object> podLabels = at(pod, "metadata", "labels");
        List<Map<String, Object>> storeServices = monitoring.all("Service").stream()
                .filter(s -> podLabels.entrySet().containsAll(((Map<String, Object>) at(s, "spec", "selector")).entrySet()))
                .toList();
        assertThat(storeServices).extracting(s -> at(s, "metadata", "name")).containsExactly("metric-store");
        List<Map<String, Object>> ports = at(storeServices.get(0), "spec", "ports");
        assertThat(ports).extracting(p -> p.get("targetPort")).containsExactly("http");
        assertThat(ports).extracting(p -> p.get("port")).containsExactly(port("http"));
    }

    @Test
    void prometheusScrapesTheSeriesWithATokenAndTheTelemetryPerPodWithout() {
        Map<String, Object> series = monitoring.find("ScrapeConfig", "metric-store-series");
        assertThat((String) at(series, "spec", "metricsPath")).isEqualTo("/metrics");
        assertThat((Boolean) at(series, "spec", "honorLabels")).isTrue();
        assertThat((Map<String, Object>) at(series, "spec", "authorization")).isEqualTo(Map.of("type", "Bearer",
                "credentials", Map.of("name", "metric-store-prometheus-token", "key", "token")));
        Map<String, Object> service = manifests.find("Service", "metric-store");
        assertThat((String) at(series, "spec", "staticConfigs", 0, "targets", 0))
                .startsWith(at(service, "metadata", "name") + ".")
                .endsWith(":" + at(service, "spec", "ports", 0, "port"));

        Map<String, Object> telemetry = monitoring.find("PodMonitor", "metric-store");
        assertThat((Map<String, Object>) at(pod, "metadata", "labels"))
                .containsAllEntriesOf(at(telemetry, "spec", "selector", "matchLabels"));
        assertThat((List<Map<String, Object>>) at(telemetry, "spec", "podMetricsEndpoints"))
                .containsExactly(Map.of("port", "management", "path", "/q/metrics", "interval", "30s"));
    }

    @Test
    void noServiceAccountTokenIsMountedWhereNothingUsesIt() {
        Map<String, Object> account = manifests.find("ServiceAccount", "metric-store");
        assertThat((Boolean) account.get("automountServiceAccountToken")).isFalse();
        assertThat((String) at(pod, "spec", "serviceAccountName")).isEqualTo("metric-store");
        assertThat((Boolean) at(pod, "spec", "automountServiceAccountToken")).isFalse();
        assertThat((Boolean) at(manifests.find("StatefulSet", "metric-store-redis"), "spec", "template", "spec",
                "automountServiceAccountToken")).isFalse();
    }

    @Test
    void theJwksIsFetchedWithAProjectedTokenUsedForNothingElse() {
        Map<String, String> env = manifests.environment();
        assertThat(env.get("STORE_AUTH_KUBERNETES_JWKS")).isEqualTo("https://kubernetes.default.svc/openid/v1/jwks");
        assertThat(env.get("STORE_AUTH_KUBERNETES_ISSUER")).startsWith("https://");
        MountedFile token = mountedFile(env.get("STORE_AUTH_KUBERNETES_TOKEN_FILE"));
        List<Map<String, Object>> sources = at(token.volume(), "projected", "sources");
        Map<String, Object> serviceAccountToken = sources.stream().map(s -> (Map<String, Object>) s.get("serviceAccountToken"))
                .filter(t -> t != null && token.path().equals(t.get("path"))).findFirst().orElseThrow();
        assertThat(serviceAccountToken).as("no audience: the API server's own").doesNotContainKey("audience");
        assertThat((Integer) serviceAccountToken.get("expirationSeconds")).isBetween(600, 3600);

        String tlsName = env.get("STORE_AUTH_KUBERNETES_TLS_CONFIGURATION_NAME");
        MountedFile ca = mountedFile(env.get("QUARKUS_TLS_" + Manifests.environmentName(tlsName) + "_TRUST_STORE_PEM_CERTS"));
        assertThat(ca.volume()).isSameAs(token.volume());
        assertThat(sources).contains(Map.of("configMap", Map.of("name", "kube-root-ca.crt",
                "items", List.of(Map.of("key", "ca.crt", "path", ca.path())))));

        List<Map<String, Object>> volumes = at(pod, "spec", "volumes");
        assertThat(volumes).as("one projected service-account token in the pod")
                .filteredOn(v -> v.toString().contains("serviceAccountToken")).containsExactly(token.volume());
    }

    @Test
    void theStaticTokenHashesAreMountedReadOnlyFromTheirSecret() {
        MountedFile tokens = mountedFile(manifests.environment().get("STORE_AUTH_TOKENS_FILE"));
        assertThat((String) at(tokens.volume(), "secret", "secretName")).isEqualTo("metric-store-tokens");
        assertThat((List<Map<String, Object>>) at(tokens.volume(), "secret", "items"))
                .containsExactly(Map.of("key", "tokens", "path", tokens.path()));
    }

    @Test
    void theGrantsNameTheExampleExporterAndPrometheus() {
        Map<String, String> env = manifests.environment();
        String exporter = "system:serviceaccount:metric-store:" + at(exampleClient("ServiceAccount"), "metadata", "name");
        assertThat(env).containsKeys("STORE_AUTH_GRANTS_READER", "STORE_AUTH_GRANTS_WRITER", "STORE_AUTH_GRANTS_LOCKER");
        assertThat(env.get("STORE_AUTH_GRANTS_READER").split(",")).containsExactlyInAnyOrder(exporter, "prometheus");
        assertThat(env.get("STORE_AUTH_GRANTS_WRITER").split(",")).containsExactly(exporter);
        assertThat(env.get("STORE_AUTH_GRANTS_LOCKER").split(",")).containsExactly(exporter);
        assertThat(env).doesNotContainKey("STORE_AUTH_GRANTS_ADMIN");
    }

    @Test
    void theNetworkPolicyAdmitsOnlyLabelledClientsAndPrometheus() {
        Map<String, Object> policy = manifests.find("NetworkPolicy", "metric-store");
        assertThat((Map<String, Object>) at(pod, "metadata", "labels"))
                .containsAllEntriesOf(at(policy, "spec", "podSelector", "matchLabels"));
        assertThat((List<String>) at(policy, "spec", "policyTypes")).containsExactly("Ingress");
        List<Map<String, Object>> ingress = at(policy, "spec", "ingress");
        Map<String, Object> anyNamespace = Map.of();
        assertThat(ingress).containsExactlyInAnyOrder(
                Map.of("from", List.of(Map.of("namespaceSelector", anyNamespace,
                                "podSelector", Map.of("matchLabels", Map.of(CLIENT_LABEL, "true")))),
                        "ports", List.of(Map.of("port", "http", "protocol", "TCP"))),
                Map.of("from", List.of(Map.of("namespaceSelector", anyNamespace,
                                "podSelector", Map.of("matchLabels", Map.of("app.kubernetes.io/name", "prometheus")))),
                        "ports", List.of(Map.of("port", "http", "protocol", "TCP"),
                                Map.of("port", "management", "protocol", "TCP"))));
        assertThat((Map<String, Object>) at(exampleClient("Deployment"), "spec", "template", "metadata", "labels"))
                .containsEntry(CLIENT_LABEL, "true");
    }

    @Test
    void theDemoRedisAdmitsOnlyTheStore() {
        Map<String, Object> redis = manifests.find("StatefulSet", "metric-store-redis");
        Map<String, Object> policy = manifests.find("NetworkPolicy", "metric-store-redis");
        assertThat((Map<String, Object>) at(redis, "spec", "template", "metadata", "labels"))
                .containsAllEntriesOf(at(policy, "spec", "podSelector", "matchLabels"));
        assertThat((List<String>) at(policy, "spec", "policyTypes")).containsExactly("Ingress");
        assertThat((List<Map<String, Object>>) at(policy, "spec", "ingress")).containsExactly(Map.of(
                "from", List.of(Map.of("podSelector", Map.of("matchLabels", at(deployment, "spec", "selector", "matchLabels")))),
                "ports", List.of(Map.of("port", "redis", "protocol", "TCP"))));
        assertThat((List<Map<String, Object>>) at(redis, "spec", "template", "spec", "containers", 0, "ports"))
                .containsExactly(Map.of("name", "redis", "containerPort", 6379));
    }

    @Test
    void theExampleClientSendsAProjectedTokenForTheStore() {
        Map<String, Object> account = exampleClient("ServiceAccount");
        Map<String, Object> client = at(exampleClient("Deployment"), "spec", "template");
        assertThat((Boolean) account.get("automountServiceAccountToken")).isFalse();
        assertThat((String) at(client, "spec", "serviceAccountName")).isEqualTo(at(account, "metadata", "name"));
        assertThat((Boolean) at(client, "spec", "automountServiceAccountToken")).isFalse();
        Map<String, Object> token = at(client, "spec", "volumes", 0, "projected", "sources", 0, "serviceAccountToken");
        assertThat(token).containsEntry("audience", manifests.environment().get("STORE_AUTH_KUBERNETES_AUDIENCE"))
                .containsEntry("audience", "metric-store").containsEntry("expirationSeconds", 3600);
        Map<String, Object> mount = at(client, "spec", "containers", 0, "volumeMounts", 0);
        assertThat(mount).containsEntry("name", at(client, "spec", "volumes", 0, "name")).containsEntry("readOnly", true);
    }

    @Test
    void selectorsAndLabelsAgree() {
        Map<String, Object> podLabels = at(pod, "metadata", "labels");
        assertThat(podLabels).containsAllEntriesOf(at(deployment, "spec", "selector", "matchLabels"));
        assertThat(podLabels).containsAllEntriesOf(at(manifests.find("Service", "metric-store"), "spec", "selector"));
        assertThat(podLabels).containsAllEntriesOf(
                at(manifests.find("PodDisruptionBudget", "metric-store"), "spec", "selector", "matchLabels"));
        assertThat((String) at(manifests.find("Service", "metric-store"), "spec", "ports", 0, "targetPort"))
                .isEqualTo(at(manifests.container(), "ports", 0, "name"));
        Map<String, Object> redis = manifests.find("StatefulSet", "metric-store-redis");
        assertThat((Map<String, Object>) at(redis, "spec", "template", "metadata", "labels"))
                .containsAllEntriesOf(at(manifests.find("Service", "metric-store-redis"), "spec", "selector"));
    }

    @Test
    void theImageIsTheOneKustomizeSets() {
        List<Map<String, Object>> images = at(manifests.kustomization, "images");
        String image = at(manifests.container(), "image");
        assertThat(images).extracting(i -> i.get("name")).contains(image);
    }

    @Test
    void podsRunAsNonRootWithAReadOnlyRootAndNoCapabilities() {
        assertThat((Boolean) at(pod, "spec", "securityContext", "runAsNonRoot")).isTrue();
        Map<String, Object> container = manifests.container();
        assertThat((Boolean) at(container, "securityContext", "readOnlyRootFilesystem")).isTrue();
        assertThat((Boolean) at(container, "securityContext", "allowPrivilegeEscalation")).isFalse();
        assertThat((List<String>) at(container, "securityContext", "capabilities", "drop")).containsExactly("ALL");
        assertThat((String) at(container, "volumeMounts", 0, "mountPath")).isEqualTo("/tmp");
        assertThat((Map<String, Object>) at(container, "resources", "requests")).containsKeys("cpu", "memory");
        assertThat((Map<String, Object>) at(container, "resources", "limits")).containsKey("memory");
    }

    @Test
    void replicasSpreadOverNodesAndADisruptionLeavesTwo() {
        List<Map<String, Object>> spread = at(pod, "spec", "topologySpreadConstraints");
        assertThat(spread).extracting(s -> s.get("topologyKey")).contains("kubernetes.io/hostname");
        assertThat((Integer) at(manifests.find("PodDisruptionBudget", "metric-store"), "spec", "maxUnavailable"))
                .isEqualTo(1);
    }

    @Test
    void theGracePeriodCoversTheShutdownDelayAndTimeout() throws IOException {
        Properties properties = applicationProperties();
        Duration delay = Duration.parse("PT" + properties.getProperty("quarkus.shutdown.delay").toUpperCase());
        Duration timeout = Duration.parse("PT" + properties.getProperty("quarkus.shutdown.timeout").toUpperCase());
        int grace = at(pod, "spec", "terminationGracePeriodSeconds");
        assertThat(Duration.ofSeconds(grace)).isGreaterThan(delay.plus(timeout));
    }

    @Test
    void theDemoRedisKeepsAnAppendOnlyFileAndNeverEvicts() {
        List<String> args = at(manifests.find("StatefulSet", "metric-store-redis"), "spec", "template", "spec",
                "containers", 0, "args");
        assertThat(String.join(" ", args)).contains("--appendonly yes").contains("--appendfsync always")
                .contains("--maxmemory 768mb").contains("--maxmemory-policy noeviction");
    }
}
