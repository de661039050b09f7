/**
 * The store engine: partitions of items in memory, versions, conditional writes, memory accounting
 * with eviction, and expiry driven by an injectable {@link io.stored.engine.Ticker}. Plain Java: it
 * must not depend on Quarkus, Jakarta, Vert.x or fabric8, so tests can run many engines in one JVM
 * in milliseconds.
 */
package io.stored.engine;
