package io.metricstore.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.metricstore.store.StoreException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Every kind of refusal has a problem type of its own: a refusal, never the 500 or 503 of a failure. */
class ProblemMapperTest {

    @Test
    void everyKindOfRefusalHasAProblemTypeOfItsOwn() {
        assertThat(Arrays.stream(StoreException.Kind.values()).map(ProblemMapper::typeOf))
                .doesNotHaveDuplicates()
                .doesNotContain(ProblemType.INTERNAL_ERROR, ProblemType.BACKEND_UNAVAILABLE)
                .allSatisfy(type -> assertThat(type.status()).satisfiesAnyOf(
                        status -> assertThat(status).isBetween(400, 499),
                        status -> assertThat(status).isEqualTo(507)));
    }
}
