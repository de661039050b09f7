package io.stored.replication;

import io.stored.engine.Entry;
import io.stored.engine.ItemKey;
import io.stored.engine.SnapshotChunk;
import io.stored.engine.WriteResult;
import io.stored.ring.Ring;
import java.util.List;

/** A store's answer to a {@link Message}, with the epoch of the ring it answered from. */
public sealed interface Reply {
  long epoch();

  /** Done. */
  record Ack(long epoch) implements Reply {}

  /** Refused: the receiver knows a newer ring than the sender (the sender must catch up). */
  record Stale(long epoch) implements Reply {}

  /** Refused: the sender's ring is newer than the receiver's (the receiver gets it soon; retry). */
  record Behind(long epoch) implements Reply {}

  /** Refused: in the receiver's ring it does not own (or is not primary of) the partition. */
  record NotOwner(long epoch, int partition) implements Reply {}

  /**
   * Refused for now, nothing changed for the caller: a backup did not acknowledge, so the write is
   * not acknowledged (it may be applied on some owners; a retry supersedes it by version).
   */
  record Unavailable(long epoch, String reason) implements Reply {}

  /** One chunk of a partition's snapshot; {@link SnapshotChunk#last()} ends it. */
  record Chunk(long epoch, SnapshotChunk chunk) implements Reply {}

  /** The item read, or null when there is none. */
  record Item(long epoch, Entry item) implements Reply {}

  /**
   * What a write did.
   *
   * @param version the new version after a put; the store's memory limit in bytes when the outcome
   *     is {@code INSUFFICIENT_STORAGE}; otherwise 0
   */
  record Written(long epoch, WriteResult.Outcome outcome, long version) implements Reply {}

  /** How many items a key delete removed. */
  record Count(long epoch, int count) implements Reply {}

  /** A page of a listing. */
  record Page(long epoch, List<ItemKey> items, boolean more) implements Reply {}

  /** The receiver's ring. */
  record RingIs(Ring ring) implements Reply {
    @Override
    public long epoch() {
      return ring.epoch();
    }
  }

  /**
   * A store's state for the monkey.
   *
   * @param incarnation random at each start: a change means the store restarted, memory empty
   * @param synced pending partitions (of this epoch) the store has received in full
   * @param usedMemory accounted bytes of the items the store holds
   * @param maxMemory the store's memory limit in bytes
   * @param draining the store is stopping: it asks to hand its partitions over and leave
   */
  record StatusIs(
      long epoch,
      long incarnation,
      List<Integer> synced,
      long usedMemory,
      long maxMemory,
      boolean draining)
      implements Reply {}
}
