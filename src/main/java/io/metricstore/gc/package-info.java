/**
 * The scheduled GC: runs the store's GC every {@code store.gc.interval} on the replica that holds the GC lock, and
 * gives that lock up at shutdown.
 *
 * <p>Depends on {@code store}.
 */
package io.metricstore.gc;
