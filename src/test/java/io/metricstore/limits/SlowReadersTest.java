package io.metricstore.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The write timeout on a real Vert.x (its timers run on wall-clock time, hence the timeout of 300 ms): only a body
 * whose subscriber leaves what it was sent untaken is cut off; a body with nothing to send is never.
 */
class SlowReadersTest {

    private static final Duration TIMEOUT = Duration.ofMillis(300);

    private final Vertx vertx = Vertx.vertx();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final SlowReaders slowReaders = new SlowReaders(vertx, TIMEOUT, registry);

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private double closed(String endpoint) {
        return registry.get("store_slow_readers_closed_total").tag("endpoint", endpoint).counter().count();
    }

    @Test
    void aSubscriberThatTakesNothingMoreIsCutOffOnceAndCounted() throws InterruptedException {
        CountDownLatch cutOff = new CountDownLatch(2);
        AssertSubscriber<Integer> client = slowReaders
                .guard(Multi.createFrom().range(0, 100), SlowReaders.Endpoint.METRICS, cutOff::countDown)
                .subscribe().withSubscriber(AssertSubscriber.create(3));
        client.awaitItems(3);
        long taken = System.nanoTime();

        assertThat(cutOff.await(TIMEOUT.toMillis() * 10, TimeUnit.MILLISECONDS)).as("cut off twice").isFalse();
        assertThat(cutOff.getCount()).as("cut off once").isOne();
        assertThat(Duration.ofNanos(System.nanoTime() - taken)).isGreaterThan(TIMEOUT);
        assertThat(closed("metrics")).isEqualTo(1);
        assertThat(closed("changes_stream")).isZero();
        client.cancel();
    }

    @Test
    void aBodyWithNothingToSendIsNeverCutOff() throws InterruptedException {
        CountDownLatch cutOff = new CountDownLatch(1);
        AssertSubscriber<Object> client = slowReaders
                .guard(Multi.createFrom().nothing(), SlowReaders.Endpoint.CHANGES_STREAM, cutOff::countDown)
                .subscribe().withSubscriber(AssertSubscriber.create(1));

        assertThat(cutOff.await(TIMEOUT.toMillis() * 5, TimeUnit.MILLISECONDS)).as("cut off").isFalse();
        assertThat(closed("changes_stream")).isZero();
        client.cancel();
    }

    @Test
    void aSubscriberThatTakesEachItemInTimeIsNeverCutOff() throws InterruptedException {
        CountDownLatch cutOff = new CountDownLatch(1);
        AssertSubscriber<Integer> client = slowReaders
                .guard(Multi.createFrom().range(0, 1000), SlowReaders.Endpoint.METRICS, cutOff::countDown)
                .subscribe().withSubscriber(AssertSubscriber.create(1));
        // Each item taken a third of the timeout after it came, for five timeouts.
        long end = System.nanoTime() + TIMEOUT.multipliedBy(5).toNanos();
        for (int taken = 1; System.nanoTime() < end; taken++) {
            client.awaitItems(taken);
            Thread.sleep(TIMEOUT.toMillis() / 3);
            client.request(1);
        }
        assertThat(cutOff.getCount()).as("cut off").isOne();
        client.cancel();
    }
}
