package io.metricstore.store;

import static io.metricstore.store.TestStore.validationErrors;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.metricstore.store.model.FieldError;
import io.metricstore.store.model.LockKind;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The checks {@link MetricStore} makes with {@link FieldChecks} on the arguments of a read or a lock call before any
 * backend sees them, so they hold alike on every backend and are tested once: the metric name a snapshot is
 * filtered by, and lock keys, TTLs and owner tokens; and the cap on the errors a refusal lists. The store is over the
 * memory backend.
 */
class FieldChecksTest {

    private final TestStore memory = TestStore.memory();

    // ---- the error cap

    @Test
    void pastTheCapErrorsAreCountedButNeverBuilt() {
        FieldChecks checks = FieldChecks.capped(3);
        AtomicInteger built = new AtomicInteger();
        for (int i = 0; i < 100_000; i++) {
            int index = i;
            checks.add(() -> {
                built.incrementAndGet();
                return new FieldError("points[" + index + "]", "bad");
            });
        }
        checks.require(false, "families", "bad too");
        assertThat(built).hasValue(3);
        assertThatThrownBy(checks::orThrow).isInstanceOfSatisfying(StoreException.Validation.class, refusal -> {
            assertThat(refusal.errorCount()).isEqualTo(100_001);
            assertThat(refusal.errors()).extracting(FieldError::field)
                    .containsExactly("points[0]", "points[1]", "points[2]");
        });
    }

    @Test
    void uncappedChecksListEveryError() {
        assertThatThrownBy(FieldChecks.of().require(false, "a", "x").require(false, "b", "y")::orThrow)
                .isInstanceOfSatisfying(StoreException.Validation.class, refusal -> {
                    assertThat(refusal.errorCount()).isEqualTo(2);
                    assertThat(refusal.errors()).hasSize(2);
                });
        assertThatCode(FieldChecks.capped(1).require(true, "a", "x")::orThrow).doesNotThrowAnyException();
    }

    // ---- the snapshot filter

    @Test
    void aSnapshotFilterMustBeAMetricName() {
        assertThat(validationErrors(() -> memory.store.snapshot(Optional.of("a{x=\"1\"}"))))
                .extracting(FieldError::field).containsExactly("name");
    }

    // ---- lock keys, TTLs and tokens

    @Test
    void lockKeysAreOneTo256PrintableCharacters() {
        memory.store.acquire(LockKind.JOB, "k".repeat(256), Duration.ofSeconds(1), null, "anonymous");
        memory.store.acquire(LockKind.JOB, "ключ 🔒 with spaces/and:colons", Duration.ofSeconds(1), null, "anonymous");
        memory.store.acquire(LockKind.JOB, "😀".repeat(256), Duration.ofSeconds(1), null, "anonymous");
        for (String bad : new String[] {"", "k".repeat(257), "tab\there", "nl\n", "nul\0", "bidi\u202e"}) {
            assertThat(validationErrors(() -> memory.store.acquire(LockKind.JOB, bad, Duration.ofSeconds(1), null, "anonymous")))
                    .as(bad).extracting(FieldError::field).containsOnly("key");
        }
    }

    @Test
    void lockTtlsArePositiveAndAtMostTheMaximum() {
        memory.store.acquire(LockKind.JOB, "max", Duration.ofHours(1), null, "anonymous");
        memory.store.acquire(LockKind.JOB, "min", Duration.ofMillis(1), null, "anonymous");
        for (Duration bad : new Duration[] {Duration.ZERO, Duration.ofSeconds(-1), Duration.ofNanos(1),
                Duration.ofHours(1).plusMillis(1)}) {
            assertThat(validationErrors(() -> memory.store.acquire(LockKind.JOB, "k", bad, null, "anonymous")))
                    .as(bad.toString()).extracting(FieldError::field).containsOnly("ttl");
        }
        memory.store.acquire(LockKind.JOB, "k", Duration.ofSeconds(1), "t", "anonymous");
        assertThat(validationErrors(() -> memory.store.extend(LockKind.JOB, "k", "t", Duration.ofDays(1), "anonymous")))
                .extracting(FieldError::field).containsOnly("ttl");
        assertThat(validationErrors(() -> memory.store.acquire(LockKind.JOB, "k", null, null, "anonymous")))
                .extracting(FieldError::field).containsOnly("ttl");
    }

    @Test
    void hugeTtlsAreRefusedNotOverflowed() {
        assertThat(validationErrors(() ->
                memory.store.acquire(LockKind.JOB, "k", Duration.ofSeconds(Long.MAX_VALUE), null, "anonymous")))
                .extracting(FieldError::field).containsOnly("ttl");
    }

    @Test
    void tokensArePrintableAscii() {
        for (String bad : new String[] {"", "with space", "é", "t".repeat(129)}) {
            assertThat(validationErrors(() -> memory.store.acquire(LockKind.JOB, "k", Duration.ofSeconds(1), bad, "anonymous")))
                    .as(bad).extracting(FieldError::field).containsOnly("token");
        }
        assertThat(validationErrors(() -> memory.store.release(LockKind.JOB, "k", null, "anonymous")))
                .extracting(FieldError::field).containsOnly("Lock-Token");
    }
}
