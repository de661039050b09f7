package io.stored.engine;

import static io.stored.common.Checks.requireArgument;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One stored item as one byte array: the whole per-item footprint is that array and the reference
 * to it in its partition's sorted index (see {@link Partition}). Layout:
 *
 * <pre>
 *  0  version              8 bytes
 *  8  type                 1 byte: bit 7 set when the item expires; bits 0-6 the content type's
 *                          code in {@link ContentTypes}, or 127 when it is spelled out below
 *  9  key length           2 bytes
 * 11  id length            2 bytes
 * 13  [accessed at]        8 bytes, only in a partition that tracks LRU
 *     [expires at]         8 bytes, only when bit 7 of type is set
 *     [content type]       2 bytes of length and its UTF-8 bytes, only when the code is 127
 *     key, id, value       the rest
 * </pre>
 *
 * The namespace is not repeated per item: a partition keeps one array of items per namespace.
 * Everything but "accessed at" is immutable once built, so a record may be read without the
 * partition's lock; "accessed at" is only read and written under it.
 */
final class Records {
  /** Big-endian views of byte arrays, for records and {@link SnapshotChunk}. */
  static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  static final VarHandle SHORT =
      MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);

  static final int MAX_PART = 0xFFFF;
  private static final int TYPE = 8;
  private static final int KEY_LENGTH = 9;
  private static final int ID_LENGTH = 11;
  private static final int FIXED = 13;
  private static final int EXPIRES = 0x80;
  static final int INLINE_TYPE = 0x7F;

  /** Object header and length of a byte array on a 64-bit JVM with compressed references. */
  private static final int ARRAY_HEADER = 16;

  private Records() {}

  static byte[] encode(
      ItemKey key,
      byte[] value,
      int typeCode,
      String contentType,
      long version,
      long expiresAt,
      boolean lru) {
    return encode(
        key.raw(),
        key.keyOffset(),
        key.keyLength(),
        key.idLength(),
        value,
        0,
        value.length,
        typeCode,
        contentType,
        version,
        expiresAt,
        lru);
  }

  /**
   * A record whose key and id are {@code keyLen + idLen} contiguous bytes of {@code address} at
   * {@code keyAt}, and whose value is {@code valueLen} bytes of {@code valueSrc} at {@code
   * valueAt}.
   */
  static byte[] encode(
      byte[] address,
      int keyAt,
      int keyLen,
      int idLen,
      byte[] valueSrc,
      int valueAt,
      int valueLen,
      int typeCode,
      String contentType,
      long version,
      long expiresAt,
      boolean lru) {
    requireArgument(keyLen <= MAX_PART && idLen <= MAX_PART, "key or id too long");
    byte[] inline = typeCode == INLINE_TYPE ? contentType.getBytes(StandardCharsets.UTF_8) : null;
    requireArgument(inline == null || inline.length <= MAX_PART, "content type too long");
    int pos = FIXED + (lru ? 8 : 0);
    int length =
        pos
            + (expiresAt != 0 ? 8 : 0)
            + (inline != null ? 2 + inline.length : 0)
            + keyLen
            + idLen
            + valueLen;
    byte[] r = new byte[length];
    LONG.set(r, 0, version);
    r[TYPE] = (byte) (typeCode | (expiresAt != 0 ? EXPIRES : 0));
    SHORT.set(r, KEY_LENGTH, (short) keyLen);
    SHORT.set(r, ID_LENGTH, (short) idLen);
    if (expiresAt != 0) {
      LONG.set(r, pos, expiresAt);
      pos += 8;
    }
    if (inline != null) {
      SHORT.set(r, pos, (short) inline.length);
      System.arraycopy(inline, 0, r, pos + 2, inline.length);
      pos += 2 + inline.length;
    }
    System.arraycopy(address, keyAt, r, pos, keyLen + idLen);
    System.arraycopy(valueSrc, valueAt, r, pos + keyLen + idLen, valueLen);
    return r;
  }

  /** Bytes a record of this length really occupies on the heap (header, 8-byte alignment). */
  static long footprint(int recordLength) {
    return (ARRAY_HEADER + recordLength + 7L) & ~7L;
  }

  /** The length of the record {@link #encode} would build (inline content type assumed). */
  static int length(
      ItemKey key, int valueLength, String contentType, boolean expires, boolean lru) {
    return FIXED
        + (lru ? 8 : 0)
        + (expires ? 8 : 0)
        + 2
        + contentType.length() * 3
        + key.keyLength()
        + key.idLength()
        + valueLength;
  }

  static void setVersion(byte[] r, long version) {
    LONG.set(r, 0, version);
  }

  static long version(byte[] r) {
    return (long) LONG.get(r, 0);
  }

  static int typeCode(byte[] r) {
    return r[TYPE] & INLINE_TYPE;
  }

  static boolean expires(byte[] r) {
    return (r[TYPE] & EXPIRES) != 0;
  }

  /** Expiry deadline in epoch ms, 0 for none. */
  static long expiresAt(byte[] r, boolean lru) {
    return expires(r) ? (long) LONG.get(r, FIXED + (lru ? 8 : 0)) : 0;
  }

  static boolean expiredAt(byte[] r, boolean lru, long now) {
    long at = expiresAt(r, lru);
    return at != 0 && at <= now;
  }

  /** Last access time; only in an LRU partition. */
  static long accessedAt(byte[] r) {
    return (long) LONG.get(r, FIXED);
  }

  static void touch(byte[] r, long now) {
    LONG.set(r, FIXED, now);
  }

  /** The content type spelled out in the record (code 127). */
  static String inlineType(byte[] r, boolean lru) {
    int at = FIXED + (lru ? 8 : 0) + (expires(r) ? 8 : 0);
    int len = Short.toUnsignedInt((short) SHORT.get(r, at));
    return new String(r, at + 2, len, StandardCharsets.UTF_8);
  }

  static int keyLength(byte[] r) {
    return Short.toUnsignedInt((short) SHORT.get(r, KEY_LENGTH));
  }

  static int idLength(byte[] r) {
    return Short.toUnsignedInt((short) SHORT.get(r, ID_LENGTH));
  }

  static int keyOffset(byte[] r, boolean lru) {
    int at = FIXED + (lru ? 8 : 0) + (expires(r) ? 8 : 0);
    if (typeCode(r) == INLINE_TYPE) {
      at += 2 + Short.toUnsignedInt((short) SHORT.get(r, at));
    }
    return at;
  }

  static int valueOffset(byte[] r, boolean lru) {
    return keyOffset(r, lru) + keyLength(r) + idLength(r);
  }

  static byte[] value(byte[] r, boolean lru) {
    return Arrays.copyOfRange(r, valueOffset(r, lru), r.length);
  }

  /** The item's address, with the namespace its partition keeps it under. */
  static ItemKey key(byte[] namespace, byte[] r, boolean lru) {
    int k = keyOffset(r, lru);
    int kl = keyLength(r);
    return ItemKey.of(namespace, r, k, kl, k + kl, idLength(r));
  }

  /**
   * Compares the record's (key, id) with the address's, in {@link ItemKey}'s order (the namespace
   * is the same); a bound made by {@link ItemKey#afterAllIds} is after every id of its key.
   */
  static int compare(byte[] r, boolean lru, ItemKey key) {
    int k = keyOffset(r, lru);
    int kl = keyLength(r);
    byte[] b = key.raw();
    int c =
        Arrays.compareUnsigned(r, k, k + kl, b, key.keyOffset(), key.keyOffset() + key.keyLength());
    if (c != 0) {
      return c;
    }
    if (key.isAfterAllIds()) {
      return -1;
    }
    int i = k + kl;
    return Arrays.compareUnsigned(r, i, i + idLength(r), b, key.idOffset(), b.length);
  }

  /** Whether two records (of one namespace) have the same key, whatever their ids. */
  static boolean sameKey(byte[] a, byte[] b, boolean lru) {
    int ak = keyOffset(a, lru);
    int bk = keyOffset(b, lru);
    return Arrays.equals(a, ak, ak + keyLength(a), b, bk, bk + keyLength(b));
  }
}
