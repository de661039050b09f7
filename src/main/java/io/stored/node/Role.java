package io.stored.node;

/** What a Stored process runs; chosen at run time with {@code stored.roles}. */
public enum Role {
  /** Serves the data API on the HTTP port and sends each operation to its partition's primary. */
  ENDPOINT,
  /** Holds partitions in memory. */
  STORE,
  /** The StoreMonkey: decides membership and publishes the ring. Never implied by default. */
  MONKEY
}
