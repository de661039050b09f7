package io.stored.engine;

/**
 * One stored item as read: its address, value, content type, version and expiry. A view over the
 * item's record (see {@link Records}), made when the item is read; the record's parts that it reads
 * are immutable, so it may be used after the partition lock is released.
 */
public final class Entry {
  private final ItemKey key;
  private final byte[] record;
  private final boolean lru;
  private final String contentType;

  Entry(ItemKey key, byte[] record, boolean lru, String contentType) {
    this.key = key;
    this.record = record;
    this.lru = lru;
    this.contentType = contentType;
  }

  public ItemKey key() {
    return key;
  }

  /** A copy of the value bytes. */
  public byte[] value() {
    return Records.value(record, lru);
  }

  public String contentType() {
    return contentType;
  }

  /** The partition-wide version of the write that made this entry; the ETag derives from it. */
  public long version() {
    return Records.version(record);
  }

  /** Expiry deadline in epoch milliseconds, or 0 when the entry never expires. */
  public long expiresAt() {
    return Records.expiresAt(record, lru);
  }
}
