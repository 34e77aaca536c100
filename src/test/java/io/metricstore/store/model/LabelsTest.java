package io.metricstore.store.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The compact label set behaves as the sorted, immutable map it replaces. */
class LabelsTest {

    @Test
    void sortsByNameAndEqualsTheSameTreeMap() {
        Map<String, String> unsorted = new HashMap<>(Map.of("method", "get", "code", "200", "zone", "a"));
        Labels labels = Labels.copyOf(unsorted);
        TreeMap<String, String> expected = new TreeMap<>(unsorted);
        assertThat(labels).isEqualTo(expected).hasSameHashCodeAs(expected);
        assertThat(expected).isEqualTo(labels);
        assertThat(List.copyOf(labels.keySet())).containsExactly("code", "method", "zone");
        assertThat(List.copyOf(labels.values())).containsExactly("200", "get", "a");
        assertThat(labels.get("method")).isEqualTo("get");
        assertThat(labels.get("absent")).isNull();
        assertThat(labels.get(42)).isNull();
        assertThat(labels.containsKey("zone")).isTrue();
        assertThat(labels.firstKey()).isEqualTo("code");
        assertThat(labels.lastKey()).isEqualTo("zone");
        assertThat(labels.headMap("method")).isEqualTo(Map.of("code", "200"));
        assertThat(labels.tailMap("method")).isEqualTo(Map.of("method", "get", "zone", "a"));
        assertThat(labels.subMap("d", "y")).isEqualTo(Map.of("method", "get"));
        assertThat(labels.comparator()).isNull();
    }

    @Test
    void isImmutableSharedWhenCopiedAndEmptyWithoutLabels() {
        Labels labels = Labels.copyOf(Map.of("a", "1"));
        assertThat(Labels.copyOf(labels)).isSameAs(labels);
        assertThatThrownBy(() -> labels.put("b", "2")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> labels.remove("a")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(labels::clear).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> labels.entrySet().iterator().next().setValue("x"))
                .isInstanceOf(UnsupportedOperationException.class);
        Labels none = Labels.copyOf(Map.of());
        assertThat(none).isEmpty();
        assertThatThrownBy(none::firstKey).isInstanceOf(NoSuchElementException.class);
    }

    @Test
    void equalStringsFromDifferentPointsShareOneInstance() {
        String first = new String("instance-7");
        String second = new String("instance-7");
        Labels a = Labels.copyOf(Map.of("instance", first));
        Labels b = Labels.copyOf(Map.of("instance", second));
        assertThat(b.get("instance")).isSameAs(a.get("instance"));
    }
}
