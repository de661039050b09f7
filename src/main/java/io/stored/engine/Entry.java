package io.stored.engine;

import java.nio.ByteBuffer;

/**
 * One stored item as read: its address, value, content type, version and expiry. A view over the
 * item's record (see {@link Records}), made when the item is read; the record's parts that it reads
 * are immutable, so it may be used after the partition lock is released, and its value written out
 * straight from the record ({@link #valueView}), not from a copy of it.
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

  /** An item that is not in this process's engine: one read from another store, say. */
  public static Entry of(
      ItemKey key, byte[] value, String contentType, long version, long expiresAt) {
    return new Entry(
        key,
        Records.encode(key, value, Records.INLINE_TYPE, contentType, version, expiresAt, false),
        false,
        contentType);
  }

  public ItemKey key() {
    return key;
  }

  /** A copy of the value bytes. */
  public byte[] value() {
    return Records.value(record, lru);
  }

  public int valueLength() {
    return record.length - Records.valueOffset(record, lru);
  }

  /** The value bytes, read-only, where the record holds them. */
  public ByteBuffer valueView() {
    int at = Records.valueOffset(record, lru);
    return ByteBuffer.wrap(record, at, record.length - at).asReadOnlyBuffer();
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
