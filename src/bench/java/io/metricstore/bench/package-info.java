/**
 * JMH micro benchmarks of the store core ({@link io.metricstore.store.MetricStore} over each backend), without
 * HTTP, JSON or CDI. Run with {@code ./mvnw -Pbench test-compile exec:exec}; pass JMH options in {@code -Djmh.args}.
 *
 * <p>Every benchmark runs one fork of 3 warm-up and 5 measured iterations of 5 s, so the whole set takes about
 * ten minutes on a small machine; {@code -f 3} on the command line buys tighter error bars. Each trial starts from a
 * store of its own (a fresh redis-server for the Redis backend), filled before the warm-up.
 */
package io.metricstore.bench;
