package io.metricstore.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The URIs the service serves: what {@link java.net.URI} parses, in printable ASCII, with UTF-8 escapes. */
class UriCheckTest {

    @Test
    void percentEncodedUtf8IsValidAndAnythingElseIsNot() {
        assertThat(UriCheck.valid("/api/v1/changes?since=NGUw&limit=10")).isTrue();
        assertThat(UriCheck.valid("/api/v1/changes?since=%41%42")).isTrue();
        assertThat(UriCheck.valid("/api/v1/locks/job/%D0%BA%D0%BB%F0%9F%94%92")).as("UTF-8 escapes").isTrue();
        assertThat(UriCheck.valid("/api/v1/changes?since=%zz")).as("a broken escape").isFalse();
        assertThat(UriCheck.valid("/api/v1/changes?since=a%")).as("a cut escape").isFalse();
        assertThat(UriCheck.valid("/api/v1/changes?since=%C3%28")).as("escapes that are not UTF-8").isFalse();
        assertThat(UriCheck.valid("/api/v1/changes?since=%FF")).as("a byte UTF-8 never uses").isFalse();
        assertThat(UriCheck.valid("/api/v1/changes?since=NGUw\u2026")).as("a raw non-ASCII character").isFalse();
        assertThat(UriCheck.valid("/api/v1/changes?since=a b")).as("a raw space").isFalse();
    }
}
