package io.metricstore.store;

import jakarta.enterprise.util.AnnotationLiteral;
import jakarta.inject.Qualifier;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@link StoreBackend} bean as the one to use when {@code store.backend} names it. {@link StoreProducer}
 * selects by this qualifier, so the service never names a backend class and each backend package stays on its own.
 */
@Qualifier
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.FIELD, ElementType.PARAMETER})
public @interface ForBackend {

    StoreConfig.Backend value();

    /** The qualifier as a value, for programmatic selection. */
    final class Literal extends AnnotationLiteral<ForBackend> implements ForBackend {
        private final StoreConfig.Backend value;

        public Literal(StoreConfig.Backend value) {
            this.value = value;
        }

        @Override
        public StoreConfig.Backend value() {
            return value;
        }
    }
}
