package io.stored.ring;

/** Where a store is in its membership life cycle. */
public enum MemberState {
  /** Receiving its partitions by state transfer; not yet serving them. */
  JOINING,
  /** Serving the partitions it owns. */
  ACTIVE,
  /** Handing its partitions to their new owners before it stops. */
  LEAVING,
  /** Not answering; its partitions are served by their backups. */
  DOWN
}
