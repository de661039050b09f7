package io.stored.replication;

import io.stored.engine.ItemKey;
import io.stored.engine.Mutation;
import java.util.List;

/**
 * What one store asks another. Every message carries the sender's ring epoch: the receiver refuses
 * a message from an older epoch (fencing: a deposed primary cannot get a write acknowledged) and
 * reports when the sender is ahead, so it fetches the newer ring.
 */
public sealed interface Message {
  long epoch();

  /** Apply these mutations of {@code partition}, made by its primary, in this order. */
  record Replicate(long epoch, int partition, List<Mutation> mutations) implements Message {}

  /** Send the next chunk of {@code partition}'s snapshot after {@code after} (null: the first). */
  record FetchSnapshot(long epoch, int partition, ItemKey after, int max) implements Message {}
}
