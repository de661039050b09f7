package io.stored.engine;

/** What the store does when a write would exceed its memory limit. */
public enum Eviction {
  /** Refuse the write (HTTP 507); nothing is ever removed to make room. */
  NONE,
  /** Remove least-recently-used items (approximately: sampled across partitions) until it fits. */
  LRU
}
