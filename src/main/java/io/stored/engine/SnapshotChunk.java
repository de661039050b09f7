package io.stored.engine;

import static io.stored.common.Checks.requireArgument;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One chunk of a partition's snapshot, as state transfer ships it: up to a requested number of live
 * items in key order, in one byte array that the primary writes straight from its records and the
 * receiving store reads straight into its own. Layout (big-endian):
 *
 * <pre>
 * chunk   = typeCount:u16 (length:u16 utf8)*   the content types of the chunk's items
 *           item*
 * item    = nsLength:u16 keyLength:u16 idLength:u16 address
 *           version:i64 expiresAt:i64 type:u16 valueLength:i32 value
 * address = namespace 0x00 key id              (ItemKey's layout)
 * </pre>
 *
 * <p>Why not a list of {@link Mutation}s: each would be an address, a value array, a content-type
 * string and the mutation itself, built by the primary, encoded, decoded into the same objects
 * again and encoded into a record by the receiver: a copy of every value per step and a dozen calls
 * per item for a receiver whose JIT has only just started (a joining store is a new process). The
 * content types are per chunk because each engine numbers its own.
 *
 * <p>Immutable once built; a malformed array is refused by {@link #of}, so a chunk from the wire is
 * either whole or not taken.
 */
public final class SnapshotChunk {
  private static final int ITEM_FIXED = 2 + 2 + 2 + 8 + 8 + 2 + 4;

  private final byte[] data;
  private final int items;
  private final boolean last;

  private SnapshotChunk(byte[] data, int items, boolean last) {
    this.data = data;
    this.items = items;
    this.last = last;
  }

  /**
   * A chunk as received.
   *
   * @param last whether it ends the snapshot
   * @throws IllegalArgumentException if {@code data} is not {@code items} well-formed items
   */
  public static SnapshotChunk of(byte[] data, int items, boolean last) {
    requireArgument(items >= 0, "negative item count %s", items);
    SnapshotChunk chunk = new SnapshotChunk(data, items, last);
    try {
      Cursor c = chunk.cursor();
      while (c.next()) {
        // next() checks each item's bounds
      }
      requireArgument(c.pos == data.length, "malformed snapshot chunk: trailing bytes");
    } catch (IndexOutOfBoundsException e) {
      throw new IllegalArgumentException("malformed snapshot chunk: " + e.getMessage(), e);
    }
    return chunk;
  }

  /** The chunk's bytes (not copied: do not modify). */
  public byte[] data() {
    return data;
  }

  /** Items in the chunk. */
  public int items() {
    return items;
  }

  /**
   * Whether the chunk ends the snapshot: the partition had nothing after its last item. A chunk may
   * hold fewer items than asked for and not be the last (it is bounded in bytes too).
   */
  public boolean last() {
    return last;
  }

  /** The items as mutations: for tests and tools; a store restores a chunk directly. */
  public List<Mutation> mutations() {
    List<Mutation> out = new ArrayList<>(items);
    Cursor c = cursor();
    while (c.next()) {
      out.add(
          new Mutation(
              c.key(),
              Arrays.copyOfRange(data, c.valueAt, c.valueAt + c.valueLength),
              c.types[c.type],
              c.version,
              c.expiresAt));
    }
    return out;
  }

  Cursor cursor() {
    return new Cursor();
  }

  /**
   * Writes the items ({@code records[i]} of namespace {@code namespaces[i]}, in an engine whose
   * records have {@code lru}'s layout and {@code types}' codes) as one chunk; {@code last} when the
   * partition has nothing after them.
   */
  static SnapshotChunk write(
      ContentTypes types, boolean lru, byte[][] namespaces, byte[][] records, int n, boolean last) {
    // First pass: the size and the content-type table (the table precedes the items).
    int[] index = new int[Records.INLINE_TYPE];
    Arrays.fill(index, -1);
    Map<String, Integer> inline = new HashMap<>();
    List<byte[]> table = new ArrayList<>();
    int[] typeOf = new int[n];
    long size = 2;
    for (int i = 0; i < n; i++) {
      byte[] r = records[i];
      int code = Records.typeCode(r);
      int t = code == Records.INLINE_TYPE ? inline.getOrDefault(types.of(r, lru), -1) : index[code];
      if (t < 0) {
        String type = types.of(r, lru);
        byte[] utf8 = type.getBytes(StandardCharsets.UTF_8);
        t = table.size();
        table.add(utf8);
        size += 2 + utf8.length;
        if (code == Records.INLINE_TYPE) {
          inline.put(type, t);
        } else {
          index[code] = t;
        }
      }
      typeOf[i] = t;
      int keyAt = Records.keyOffset(r, lru);
      size += ITEM_FIXED + namespaces[i].length + 1 + (r.length - keyAt);
    }
    requireArgument(size <= Integer.MAX_VALUE - 64 && table.size() <= 0xFFFF, "chunk too large");
    byte[] out = new byte[(int) size];
    int pos = putShort(out, 0, table.size());
    for (byte[] t : table) {
      pos = putShort(out, pos, t.length);
      System.arraycopy(t, 0, out, pos, t.length);
      pos += t.length;
    }
    // Second pass: the items.
    for (int i = 0; i < n; i++) {
      byte[] r = records[i];
      byte[] ns = namespaces[i];
      int keyAt = Records.keyOffset(r, lru);
      int keyLength = Records.keyLength(r);
      int idLength = Records.idLength(r);
      int valueAt = keyAt + keyLength + idLength;
      pos = putShort(out, pos, ns.length);
      pos = putShort(out, pos, keyLength);
      pos = putShort(out, pos, idLength);
      System.arraycopy(ns, 0, out, pos, ns.length);
      pos += ns.length + 1; // and the 0x00 separator, already zero
      System.arraycopy(r, keyAt, out, pos, keyLength + idLength);
      pos += keyLength + idLength;
      pos = putLong(out, pos, Records.version(r));
      pos = putLong(out, pos, Records.expiresAt(r, lru));
      pos = putShort(out, pos, typeOf[i]);
      pos = putInt(out, pos, r.length - valueAt);
      System.arraycopy(r, valueAt, out, pos, r.length - valueAt);
      pos += r.length - valueAt;
    }
    return new SnapshotChunk(out, n, last); // well-formed by construction
  }

  private static int putShort(byte[] b, int at, int v) {
    Records.SHORT.set(b, at, (short) v);
    return at + 2;
  }

  private static int putInt(byte[] b, int at, int v) {
    Records.INT.set(b, at, v);
    return at + 4;
  }

  private static int putLong(byte[] b, int at, long v) {
    Records.LONG.set(b, at, v);
    return at + 8;
  }

  /** Walks the items; each accessor describes the item the last {@link #next} moved to. */
  final class Cursor {
    final String[] types;
    private int pos;
    private int left = items;

    int addressAt;
    int nsLength;
    int keyLength;
    int idLength;
    long version;
    long expiresAt;
    int type;
    int valueAt;
    int valueLength;

    private Cursor() {
      types = new String[u16()];
      for (int i = 0; i < types.length; i++) {
        int n = u16();
        types[i] = new String(data, bounded(n), n, StandardCharsets.UTF_8);
      }
    }

    /** Moves to the next item; false when there is none. */
    boolean next() {
      if (left == 0) {
        return false;
      }
      left--;
      nsLength = u16();
      keyLength = u16();
      idLength = u16();
      int addressLength = nsLength + 1 + keyLength + idLength;
      addressAt = bounded(addressLength);
      if (nsLength == 0 || data[addressAt + nsLength] != 0) {
        throw new IllegalArgumentException("malformed snapshot chunk: item address");
      }
      version = i64();
      expiresAt = i64();
      type = u16();
      if (type >= types.length) {
        throw new IllegalArgumentException("malformed snapshot chunk: content type " + type);
      }
      valueLength = i32();
      if (valueLength < 0) {
        throw new IllegalArgumentException("malformed snapshot chunk: value length");
      }
      valueAt = bounded(valueLength);
      return true;
    }

    /** The item's address (a copy of its bytes). */
    ItemKey key() {
      return ItemKey.fromLayout(
          Arrays.copyOfRange(data, addressAt, addressAt + nsLength + 1 + keyLength + idLength),
          nsLength,
          keyLength);
    }

    /** The item as a record of an engine that codes its content type as {@code typeCode}. */
    byte[] record(int typeCode, boolean lru) {
      return Records.encode(
          data,
          addressAt + nsLength + 1,
          keyLength,
          idLength,
          data,
          valueAt,
          valueLength,
          typeCode,
          types[type],
          version,
          expiresAt,
          lru);
    }

    /** Position of the next {@code n} bytes, which must be within the chunk; skips them. */
    private int bounded(int n) {
      if (n < 0 || n > data.length - pos) {
        throw new IndexOutOfBoundsException("item runs past the end at " + pos);
      }
      int at = pos;
      pos += n;
      return at;
    }

    private int u16() {
      return Short.toUnsignedInt((short) Records.SHORT.get(data, bounded(2)));
    }

    private int i32() {
      return (int) Records.INT.get(data, bounded(4));
    }

    private long i64() {
      return (long) Records.LONG.get(data, bounded(8));
    }
  }
}
