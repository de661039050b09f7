package io.stored.router;

import io.stored.engine.ItemKey;
import io.stored.ring.Member;
import io.stored.ring.PartitionHash;
import io.stored.ring.Ring;
import java.util.List;

/**
 * Knows where a key resides: holds the current {@link Ring} and answers which partition a partition
 * key falls in and which stores own it. A library inside every endpoint and store, not a network
 * hop; it does no I/O. The ring only moves forward: an update with an epoch that is not newer is
 * ignored.
 */
public final class Router {
  private volatile Ring ring;

  public Router(Ring initial) {
    this.ring = initial;
  }

  public Ring ring() {
    return ring;
  }

  /** Installs {@code newer} if its epoch is higher than the current one; returns whether it did. */
  public synchronized boolean update(Ring newer) {
    if (newer.partitions() != ring.partitions()) {
      throw new IllegalArgumentException(
          "partition count cannot change: ring has "
              + ring.partitions()
              + ", update has "
              + newer.partitions());
    }
    if (newer.epoch() <= ring.epoch()) {
      return false;
    }
    ring = newer;
    return true;
  }

  /** The partition and owners of the item's partition key. */
  public Location locate(ItemKey key) {
    Ring r = ring;
    long hash = PartitionHash.hash64(key.partitionKeyBytes(), 0, key.partitionKeyLength());
    int p = PartitionHash.partition(hash, r.partitions());
    return new Location(p, r.epoch(), r.owners(p));
  }

  /**
   * Where a partition key lives.
   *
   * @param partition the partition
   * @param epoch the ring epoch this answer comes from
   * @param owners the owners, primary first; empty when no store owns it
   */
  public record Location(int partition, long epoch, List<Member> owners) {
    /** The primary, or null when the partition has no owner. */
    public Member primary() {
      return owners.isEmpty() ? null : owners.get(0);
    }
  }
}
