package io.metricstore;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition on what runs on real time (Vert.x timers, sockets, other threads), failing after a deadline. */
public final class Eventually {

    private Eventually() {
    }

    /** Polls every 10 ms. */
    public static void until(BooleanSupplier condition, Duration within, String what) {
        until(condition, within, what, Duration.ofMillis(10));
    }

    /** Polls every {@code every}: longer for a condition that costs something to ask (an HTTP request, a probe). */
    public static void until(BooleanSupplier condition, Duration within, String what, Duration every) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("%s within %s", what, within).isLessThan(deadline);
            try {
                Thread.sleep(every.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting until " + what, e);
            }
        }
    }
}
