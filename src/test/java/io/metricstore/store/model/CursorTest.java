package io.metricstore.store.model;

import static io.metricstore.store.TestStore.point;
import static org.assertj.core.api.Assertions.assertThat;

import io.metricstore.store.TestStore;
import org.junit.jupiter.api.Test;

/** A cursor on the wire: an opaque string that decodes to the position it was made from. */
class CursorTest {

    private final TestStore memory = TestStore.memory();

    @Test
    void cursorsAreOpaqueStringsThatRoundTrip() {
        memory.scrape(point("a", 1));
        Cursor cursor = memory.store.cursor();
        assertThat(cursor.encode()).doesNotContain(cursor.epoch()).matches("[A-Za-z0-9_-]+");
        assertThat(Cursor.decode(cursor.encode())).contains(cursor);
    }
}
