package io.stored.engine;

/**
 * One stored item: its address, value, content type, version and expiry. The value part is
 * immutable (a write replaces the entry), so a reader may use an entry after the partition lock is
 * released. The LRU links and access time belong to the owning {@link Partition} and are only
 * touched under its lock.
 *
 * <p>Callers must not modify the array returned by {@link #value()}.
 */
public final class Entry {
  final ItemKey key;
  private final byte[] value;
  private final String contentType;
  private final long version;
  private final long expiresAt;

  long accessedAt;
  Entry lruPrev;
  Entry lruNext;

  Entry(ItemKey key, byte[] value, String contentType, long version, long expiresAt) {
    this.key = key;
    this.value = value;
    this.contentType = contentType;
    this.version = version;
    this.expiresAt = expiresAt;
  }

  public ItemKey key() {
    return key;
  }

  /** The value bytes; shared, never to be modified. */
  public byte[] value() {
    return value;
  }

  public String contentType() {
    return contentType;
  }

  /** The partition-wide version of the write that made this entry; the ETag derives from it. */
  public long version() {
    return version;
  }

  /** Expiry deadline in epoch milliseconds, or 0 when the entry never expires. */
  public long expiresAt() {
    return expiresAt;
  }

  boolean expiredAt(long now) {
    return expiresAt != 0 && expiresAt <= now;
  }
}
