package io.metricstore.delivery;

import static io.metricstore.delivery.Manifests.at;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The manifests against each other and against the application's own configuration. */
class ManifestTest {

    private final Manifests manifests = new Manifests();
    private final Map<String, Object> deployment = manifests.find("Deployment", "metric-store");
    private final Map<String, Object> pod = at(deployment, "spec", "template");

    private static Properties applicationProperties() throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of("src", "main", "resources", "application.properties"))) {
            properties.load(reader);
        }
        return properties;
    }

    @Test
    void everyListedResourceExistsAndParses() {
        assertThat(manifests.resources).extracting(r -> r.get("kind")).contains("Deployment", "Service",
                "PodDisruptionBudget", "ConfigMap", "Secret", "StatefulSet");
        List<Object> monitoring = Manifests.load(Path.of("k8s", "monitoring", "servicemonitor.yaml"));
        assertThat(monitoring).hasSize(2);
        assertThat((String) at(monitoring.get(0), "spec", "endpoints", 0, "path")).isEqualTo("/q/metrics");
        assertThat((String) at(monitoring.get(1), "spec", "metricsPath")).isEqualTo("/metrics");
        assertThat((String) at(monitoring.get(1), "spec", "staticConfigs", 0, "targets", 0))
                .startsWith(at(manifests.find("Service", "metric-store"), "metadata", "name") + ".");
    }

    @Test
    void threeReplicasOverRedis() {
        assertThat((Integer) at(deployment, "spec", "replicas")).isEqualTo(3);
        assertThat(manifests.environment()).containsEntry("STORE_BACKEND", "redis");
        assertThat(manifests.environment().get("QUARKUS_REDIS_HOSTS"))
                .isEqualTo("redis://" + at(manifests.find("Service", "metric-store-redis"), "metadata", "name") + ":6379");
    }

    @Test
    void everyConfigurationVariableIsARealProperty() {
        var storeNames = Manifests.storeEnvironmentNames();
        manifests.environment().keySet().stream().filter(name -> name.startsWith("STORE_"))
                .forEach(name -> assertThat(storeNames).as("%s is a store.* property", name).contains(name));
        // QUARKUS_* names are checked against the running application by ManifestIT.
    }

    @Test
    void theRedisPasswordComesFromTheSecret() {
        List<Map<String, Object>> env = at(manifests.container(), "env");
        Map<String, Object> password = env.stream().filter(e -> "QUARKUS_REDIS_PASSWORD".equals(e.get("name")))
                .findFirst().orElseThrow();
        String secret = at(password, "valueFrom", "secretKeyRef", "name");
        String key = at(password, "valueFrom", "secretKeyRef", "key");
        assertThat((Map<String, Object>) at(manifests.find("Secret", secret), "stringData")).containsKey(key);
    }

    @Test
    void probesUseTheHealthPathsOnTheServicePort() throws IOException {
        Map<String, Object> container = manifests.container();
        assertThat((String) at(container, "startupProbe", "httpGet", "path")).isEqualTo("/q/health/started");
        assertThat((String) at(container, "livenessProbe", "httpGet", "path")).isEqualTo("/q/health/live");
        assertThat((String) at(container, "readinessProbe", "httpGet", "path")).isEqualTo("/q/health/ready");
        int port = at(container, "ports", 0, "containerPort");
        assertThat(port).isEqualTo(Integer.parseInt(applicationProperties().getProperty("quarkus.http.port")));
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            assertThat((String) at(container, probe, "httpGet", "port")).isEqualTo(at(container, "ports", 0, "name"));
        }
        assertThat((String) at(pod, "metadata", "annotations", "prometheus.io/port")).isEqualTo(Integer.toString(port));
        assertThat((String) at(pod, "metadata", "annotations", "prometheus.io/path"))
                .as("per pod only the own telemetry; the shared series are scraped once, via the Service")
                .isEqualTo("/q/metrics");
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
