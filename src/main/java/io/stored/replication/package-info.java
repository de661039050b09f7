/**
 * A store's side of the protocol, over an abstract {@link io.stored.replication.Peers} transport:
 * the client operations endpoints send it, primary-backup replication (the primary orders and
 * applies a write, replicates it to every other owner and pending owner of the partition and
 * succeeds only when all acknowledged), epoch fencing of deposed primaries, state transfer (a
 * pending owner pulls snapshot chunks while live writes reach it as ordinary replication), and the
 * rings and status exchanged with the monkey. Plain Java: it must not depend on Quarkus, Jakarta,
 * Vert.x or fabric8.
 */
package io.stored.replication;
