package io.metricstore.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** store.auth.grants.<role> lists identities; admin implies every role. */
class GrantsTest {

    @Test
    void eachIdentityHoldsTheRolesThatNameItAndAdminHoldsAll() {
        Map<String, Set<String>> roles = Grants.rolesByIdentity(Map.of(
                "reader", List.of("prometheus", " exporter "),
                "writer", List.of("exporter"),
                "admin", List.of("operator"),
                "locker", List.of("")));
        assertThat(roles).containsOnlyKeys("prometheus", "exporter", "operator");
        assertThat(roles.get("prometheus")).containsExactly("reader");
        assertThat(roles.get("exporter")).containsExactlyInAnyOrder("reader", "writer");
        assertThat(roles.get("operator")).containsExactlyInAnyOrderElementsOf(Roles.ALL);
    }
}
