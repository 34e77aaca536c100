/**
 * The whole-service load driver ({@code src/bench/load.sh}): starts the packaged service on each backend, a Redis
 * server and a Pushgateway on loopback, drives the same workloads over HTTP with its own keep-alive client, and
 * writes a Markdown report with the targets and the ratios. {@link io.metricstore.bench.load.WatchDriver}
 * ({@code src/bench/watch.sh}) measures how replicas follow each other's writes (issue 14), with the same launcher and
 * client.
 *
 * <p>Speaks to the service over HTTP only: it uses none of the application's classes.
 */
package io.metricstore.bench.load;
