package io.metricstore.delivery;

import io.metricstore.store.StoreConfig;
import io.smallrye.config.ConfigMappings;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.Yaml;

/**
 * The Kubernetes manifests under k8s/, read as a kustomization lists them (a listed directory is read through its own
 * kustomization; patches are not applied, none are used).
 */
final class Manifests {

    static final Path K8S = Path.of("k8s");
    static final Path BASE = K8S.resolve("base");

    final Map<String, Object> kustomization;
    final List<Map<String, Object>> resources = new ArrayList<>();

    Manifests() {
        this(BASE);
    }

    @SuppressWarnings("unchecked")
    Manifests(Path directory) {
        kustomization = (Map<String, Object>) load(directory.resolve("kustomization.yaml")).get(0);
        for (Object entry : (List<Object>) kustomization.get("resources")) {
            Path resource = directory.resolve(entry.toString()).normalize();
            if (Files.isDirectory(resource)) {
                resources.addAll(new Manifests(resource).resources);
            } else {
                load(resource).forEach(document -> resources.add((Map<String, Object>) document));
            }
        }
    }

    /** Every document of every YAML file under k8s/, listed by a kustomization or not. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> everyDocument() {
        try (var files = Files.walk(K8S)) {
            return files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted()
                    .flatMap(f -> load(f).stream()).map(d -> (Map<String, Object>) d).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Object> load(Path file) {
        try (Reader reader = Files.newBufferedReader(file)) {
            List<Object> documents = new ArrayList<>();
            new Yaml().loadAll(reader).forEach(documents::add);
            return documents;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Map<String, Object> find(String kind, String name) {
        return resources.stream()
                .filter(r -> kind.equals(r.get("kind")) && name.equals(at(r, "metadata", "name")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in the kustomize base"));
    }

    /** The value at a path of keys and list indexes. */
    @SuppressWarnings("unchecked")
    static <T> T at(Object node, Object... path) {
        Object current = node;
        for (Object step : path) {
            if (current == null) {
                return null;
            }
            current = step instanceof Integer index ? ((List<Object>) current).get(index)
                    : ((Map<String, Object>) current).get(step);
        }
        return (T) current;
    }

    /** All resources of one kind. */
    List<Map<String, Object>> all(String kind) {
        return resources.stream().filter(r -> kind.equals(r.get("kind"))).toList();
    }

    /** The service container of the Deployment. */
    Map<String, Object> container() {
        return at(find("Deployment", "metric-store"), "spec", "template", "spec", "containers", 0);
    }

    /** Every environment variable the Deployment sets: its ConfigMap's entries and its own env. */
    @SuppressWarnings("unchecked")
    Map<String, String> environment() {
        Map<String, String> env = new HashMap<>();
        for (Map<String, Object> from : (List<Map<String, Object>>) container().get("envFrom")) {
            String name = at(from, "configMapRef", "name");
            Map<String, Object> data = at(find("ConfigMap", name), "data");
            data.forEach((key, value) -> env.put(key, String.valueOf(value)));
        }
        for (Map<String, Object> variable : (List<Map<String, Object>>) container().get("env")) {
            env.put(variable.get("name").toString(), String.valueOf(variable.get("value")));
        }
        return env;
    }

    /** The environment-variable form of every store.* property, as SmallRye Config maps them. */
    static Set<String> storeEnvironmentNames() {
        return ConfigMappings.getProperties(ConfigMappings.ConfigClass.configClass(StoreConfig.class, "store"))
                .keySet().stream().map(Manifests::environmentName).collect(Collectors.toSet());
    }

    static String environmentName(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }
}
