package io.stored.engine;

import static io.stored.common.Checks.requireArgument;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The address of one item: namespace, key and id, as UTF-8 bytes in one array laid out as {@code
 * namespace 0x00 key id}. The first {@link #partitionKeyLength()} bytes are the partition key that
 * {@code ring.PartitionHash} hashes, so no second array is built per request.
 *
 * <p>Ordering is component-wise (namespace, then key, then id), each by unsigned bytes, which is
 * the order of UTF-8 strings by code point. A key made by {@link #afterAllIds} sorts after every id
 * of its key; it is only a bound for range queries, never stored.
 *
 * <p>Immutable; the array is never exposed.
 */
public final class ItemKey implements Comparable<ItemKey> {
  private static final byte[] EMPTY = new byte[0];

  private final byte[] bytes;
  private final int nsLength;
  private final int keyLength;
  private final boolean afterAllIds;

  private ItemKey(byte[] bytes, int nsLength, int keyLength, boolean afterAllIds) {
    this.bytes = bytes;
    this.nsLength = nsLength;
    this.keyLength = keyLength;
    this.afterAllIds = afterAllIds;
  }

  /** The address of an item; the arrays are copied. */
  public static ItemKey of(byte[] namespace, byte[] key, byte[] id) {
    requireArgument(namespace.length > 0, "namespace must not be empty");
    byte[] b = new byte[namespace.length + 1 + key.length + id.length];
    System.arraycopy(namespace, 0, b, 0, namespace.length);
    System.arraycopy(key, 0, b, namespace.length + 1, key.length);
    System.arraycopy(id, 0, b, namespace.length + 1 + key.length, id.length);
    return new ItemKey(b, namespace.length, key.length, false);
  }

  /**
   * Rebuilds an address from the layout {@link #partitionKeyBytes()} describes (as read off the
   * wire); the array is taken, not copied.
   */
  public static ItemKey fromLayout(byte[] bytes, int nsLength, int keyLength) {
    requireArgument(
        nsLength >= 1
            && keyLength >= 0
            && nsLength + 1 + keyLength <= bytes.length
            && bytes[nsLength] == 0,
        "not an item address layout");
    return new ItemKey(bytes, nsLength, keyLength, false);
  }

  public int namespaceLength() {
    return nsLength;
  }

  public int keyLength() {
    return keyLength;
  }

  /** Convenience for tests and tools: the address from strings. */
  public static ItemKey of(String namespace, String key, String id) {
    return of(utf8(namespace), utf8(key), utf8(id));
  }

  /** The lowest address of a partition key: sorts before every id of that key. */
  public static ItemKey firstOf(byte[] namespace, byte[] key) {
    return of(namespace, key, EMPTY);
  }

  /** A bound that sorts after every id of {@code (namespace, key)}. */
  public static ItemKey afterAllIds(byte[] namespace, byte[] key) {
    ItemKey k = of(namespace, key, EMPTY);
    return new ItemKey(k.bytes, k.nsLength, k.keyLength, true);
  }

  /** A bound that sorts after every id of this address's key (shares this key's bytes). */
  public ItemKey afterAllIds() {
    return afterAllIds ? this : new ItemKey(bytes, nsLength, keyLength, true);
  }

  /** The bytes the partition hash reads: {@code namespace 0x00 key}. */
  public byte[] partitionKeyBytes() {
    return bytes;
  }

  /** Length of the prefix of {@link #partitionKeyBytes()} that is the partition key. */
  public int partitionKeyLength() {
    return nsLength + 1 + keyLength;
  }

  /** Whether this address is in the given namespace. */
  public boolean inNamespace(byte[] namespace) {
    return Arrays.equals(bytes, 0, nsLength, namespace, 0, namespace.length);
  }

  public String namespace() {
    return new String(bytes, 0, nsLength, StandardCharsets.UTF_8);
  }

  public String key() {
    return new String(bytes, nsLength + 1, keyLength, StandardCharsets.UTF_8);
  }

  public String id() {
    int from = nsLength + 1 + keyLength;
    return new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
  }

  /** The id's UTF-8 bytes (a copy). */
  public byte[] idBytes() {
    return Arrays.copyOfRange(bytes, idOffset(), bytes.length);
  }

  /** Bytes this address occupies in memory accounting (the array's payload). */
  int size() {
    return bytes.length;
  }

  /** The layout array itself (engine-internal: never modified, never handed out). */
  byte[] raw() {
    return bytes;
  }

  int keyOffset() {
    return nsLength + 1;
  }

  int idOffset() {
    return nsLength + 1 + keyLength;
  }

  int idLength() {
    return bytes.length - idOffset();
  }

  boolean isAfterAllIds() {
    return afterAllIds;
  }

  /** The address of {@code namespace}, and key and id as slices of {@code src}. */
  static ItemKey of(byte[] namespace, byte[] src, int keyFrom, int keyLen, int idFrom, int idLen) {
    byte[] b = new byte[namespace.length + 1 + keyLen + idLen];
    System.arraycopy(namespace, 0, b, 0, namespace.length);
    System.arraycopy(src, keyFrom, b, namespace.length + 1, keyLen);
    System.arraycopy(src, idFrom, b, namespace.length + 1 + keyLen, idLen);
    return new ItemKey(b, namespace.length, keyLen, false);
  }

  @Override
  public int compareTo(ItemKey o) {
    int c = Arrays.compareUnsigned(bytes, 0, nsLength, o.bytes, 0, o.nsLength);
    if (c != 0) {
      return c;
    }
    c =
        Arrays.compareUnsigned(
            bytes,
            nsLength + 1,
            nsLength + 1 + keyLength,
            o.bytes,
            o.nsLength + 1,
            o.nsLength + 1 + o.keyLength);
    if (c != 0) {
      return c;
    }
    if (afterAllIds || o.afterAllIds) {
      return Boolean.compare(afterAllIds, o.afterAllIds);
    }
    return Arrays.compareUnsigned(
        bytes,
        nsLength + 1 + keyLength,
        bytes.length,
        o.bytes,
        o.nsLength + 1 + o.keyLength,
        o.bytes.length);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ItemKey other
        && nsLength == other.nsLength
        && keyLength == other.keyLength
        && afterAllIds == other.afterAllIds
        && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes) * 31 + nsLength;
  }

  @Override
  public String toString() {
    return namespace() + "/" + key() + "/" + (afterAllIds ? "<after all ids>" : id());
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
