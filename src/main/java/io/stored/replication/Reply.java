package io.stored.replication;

import io.stored.engine.Mutation;
import java.util.List;

/** A store's answer to a {@link Message}, with the epoch of the ring it answered from. */
public sealed interface Reply {
  long epoch();

  /** Done. */
  record Ack(long epoch) implements Reply {}

  /** Refused: the receiver's ring is newer than the sender's (the sender must catch up). */
  record Stale(long epoch) implements Reply {}

  /** Refused: the sender's ring is newer than the receiver's (the receiver fetches it; retry). */
  record Behind(long epoch) implements Reply {}

  /** Refused: in the receiver's ring it does not own (or is not primary of) the partition. */
  record NotOwner(long epoch, int partition) implements Reply {}

  /** One snapshot chunk; empty when the snapshot is complete. */
  record Chunk(long epoch, List<Mutation> mutations) implements Reply {}
}
