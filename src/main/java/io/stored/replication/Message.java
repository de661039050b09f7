package io.stored.replication;

import io.stored.engine.ItemKey;
import io.stored.engine.Mutation;
import io.stored.engine.Precondition;
import io.stored.ring.Ring;
import java.util.List;

/**
 * What a node asks a store: client operations forwarded by an endpoint, replication and state
 * transfer between stores, and ring control from the monkey. Every message carries the sender's
 * ring epoch: the receiver refuses a fenced message from an older epoch (so a deposed primary
 * cannot get a write acknowledged, and an endpoint with an old ring cannot reach a former owner)
 * and reports when the sender is ahead. Control messages ({@link FetchRing}, {@link InstallRing},
 * {@link Status}) are not fenced: they are how epochs spread.
 */
public sealed interface Message {
  long epoch();

  /** Whether a receiver on another epoch refuses this message. */
  default boolean fenced() {
    return true;
  }

  /** Apply these mutations of {@code partition}, made by its primary, in this order. */
  record Replicate(long epoch, int partition, List<Mutation> mutations) implements Message {}

  /** Send the next chunk of {@code partition}'s snapshot after {@code after} (null: the first). */
  record FetchSnapshot(long epoch, int partition, ItemKey after, int max) implements Message {}

  /** Read an item; on the primary, or on any in-sync owner when {@code any}. */
  record Get(long epoch, int partition, ItemKey key, boolean any) implements Message {}

  /**
   * Create, replace ({@code value} set) or delete ({@code value} null) an item as the partition's
   * primary, if {@code precondition} holds, and replicate it before answering.
   */
  record Write(
      long epoch,
      int partition,
      ItemKey key,
      byte[] value,
      String contentType,
      long ttlMillis,
      Precondition precondition)
      implements Message {}

  /** Delete every id of a partition key as its primary. */
  record DeleteKey(long epoch, int partition, byte[] namespace, byte[] key) implements Message {}

  /** A page of the ids of a partition key (after {@code after}, null for the first page). */
  record ListIds(
      long epoch, int partition, byte[] namespace, byte[] key, byte[] after, int limit, boolean any)
      implements Message {}

  /** A page of a namespace's keys over the partitions the receiver is primary of. */
  record ListKeys(long epoch, byte[] namespace, byte[] after, int limit) implements Message {}

  /** Send your ring; a store whose ring has {@code epoch} already answers Ack. */
  record FetchRing(long epoch) implements Message {
    @Override
    public boolean fenced() {
      return false;
    }
  }

  /**
   * Install this ring (the monkey's push), if you are still the incarnation the monkey saw: a store
   * that restarted in between must not take ownership of data it lost.
   */
  record InstallRing(Ring ring, long incarnation) implements Message {
    @Override
    public long epoch() {
      return ring.epoch();
    }

    @Override
    public boolean fenced() {
      return false;
    }
  }

  /** Report your incarnation, ring epoch and the pending partitions you hold in sync. */
  record Status(long epoch) implements Message {
    @Override
    public boolean fenced() {
      return false;
    }
  }
}
