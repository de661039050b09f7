/**
 * Primary-backup replication and state transfer, as a protocol over an abstract {@link
 * io.stored.replication.Peers} transport: the primary orders and applies a write, replicates it to
 * every other owner of the partition in the current epoch and succeeds only when all of them
 * acknowledged; epochs fence deposed primaries; a joining store pulls snapshot chunks while live
 * writes reach it as ordinary replication. Plain Java: it must not depend on Quarkus, Jakarta,
 * Vert.x or fabric8.
 */
package io.stored.replication;
