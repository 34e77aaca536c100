package io.metricstore.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The fast path for the usual RFC 3339 form accepts exactly what the general formatter accepts, with one result. */
class Rfc3339Test {

    @ParameterizedTest
    @ValueSource(strings = {
        "2026-11-25T18:00:00Z", "2026-11-25T18:00:00.1Z", "2026-11-25T18:00:00.123Z", "2026-11-25T18:00:00.123456789Z",
        "2026-11-25T18:00:00.1234567891Z", "2026-11-25T18:00:00.Z", "2026-11-25T18:00:00+01:00",
        "2026-11-25T18:00:00.5-05:30", "2026-11-25T18:00:00+18:00", "2026-11-25T18:00:00+18:30",
        "2026-11-25T18:00:00-00:00", "2026-11-25T18:00:00+1:00", "2026-11-25T18:00:00+0100", "2026-11-25t18:00:00z",
        "2026-11-25 18:00:00Z", "2026-02-30T18:00:00Z", "2026-13-01T18:00:00Z", "2026-11-25T24:00:00Z",
        "2026-11-25T23:59:60Z", "2026-11-25T18:60:00Z", "2026-11-25T18:00Z", "2026-11-25T18:00:00",
        "+12026-11-25T18:00:00Z", "2026-1a-25T18:00:00Z", "2026-11-25T18:00:00.12a4Z", "０２６-11-25T18:00:00Z",
        "2026-11-25T18:00:00.123+01:00:00", "",
    })
    void theFastPathAgreesWithTheFormatter(String text) {
        assertThat(Rfc3339.parse(text)).isEqualTo(byFormatter(text));
    }

    private static java.time.Instant byFormatter(String text) {
        try {
            return OffsetDateTime.parse(text, Rfc3339.FORMATTER).toInstant().truncatedTo(ChronoUnit.MILLIS);
        } catch (DateTimeParseException | ArithmeticException e) {
            return null;
        }
    }
}
