package io.metricstore.exposition;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExpositionFormatTest {

    @Test
    void prometheusGetsOpenMetricsWhenItPrefersIt() {
        assertThat(ExpositionFormat.negotiate("application/openmetrics-text;version=1.0.0,"
                + "application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"))
                .isEqualTo(ExpositionFormat.OPENMETRICS);
        assertThat(ExpositionFormat.negotiate("application/openmetrics-text")).isEqualTo(ExpositionFormat.OPENMETRICS);
    }

    @Test
    void everythingElseGetsTheTextFormat() {
        assertThat(ExpositionFormat.negotiate(null)).isEqualTo(ExpositionFormat.TEXT);
        assertThat(ExpositionFormat.negotiate("")).isEqualTo(ExpositionFormat.TEXT);
        assertThat(ExpositionFormat.negotiate("*/*")).isEqualTo(ExpositionFormat.TEXT);
        assertThat(ExpositionFormat.negotiate("text/plain;version=0.0.4")).isEqualTo(ExpositionFormat.TEXT);
        assertThat(ExpositionFormat.negotiate("text/plain;version=0.0.4;q=1,application/openmetrics-text;q=0.5"))
                .isEqualTo(ExpositionFormat.TEXT);
        assertThat(ExpositionFormat.negotiate("application/openmetrics-text;version=0.0.1"))
                .as("an OpenMetrics version this service does not write").isEqualTo(ExpositionFormat.TEXT);
        assertThat(ExpositionFormat.negotiate("application/openmetrics-text;q=0")).isEqualTo(ExpositionFormat.TEXT);
        assertThat(ExpositionFormat.negotiate("application/json")).isEqualTo(ExpositionFormat.TEXT);
    }
}
