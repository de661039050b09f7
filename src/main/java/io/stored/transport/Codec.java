package io.stored.transport;

import io.stored.engine.Entry;
import io.stored.engine.ItemKey;
import io.stored.engine.Mutation;
import io.stored.engine.Precondition;
import io.stored.engine.SnapshotChunk;
import io.stored.engine.WriteResult;
import io.stored.replication.Message;
import io.stored.replication.Reply;
import io.stored.ring.Member;
import io.stored.ring.MemberState;
import io.stored.ring.Ring;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The wire format of the internal transport, and the only place that knows it.
 *
 * <pre>
 * frame    = length:int32 (bytes after this field) kind:int8 correlation:int64 epoch:int64 body
 * Replicate      (kind 1)  partition:int32 count:int32 mutation*
 * FetchSnapshot  (kind 2)  partition:int32 max:int32 hasAfter:int8 [itemKey]
 * Get            (3)  partition:int32 itemKey any:int8
 * Write          (4)  partition:int32 itemKey value:bytes contentType:utf8? ttl:int64 precondition
 * DeleteKey      (5)  partition:int32 namespace:bytes key:bytes
 * ListIds        (6)  partition:int32 namespace:bytes key:bytes after:bytes limit:int32 any:int8
 * ListKeys       (7)  namespace:bytes after:bytes limit:int32
 * FetchRing      (8)  (no body)
 * InstallRing    (9)  incarnation:int64 ring
 * Status         (10) (no body)
 * Ack (65) | Stale (66) | Behind (67)          (no body)
 * NotOwner (68)  partition:int32
 * Chunk (69)     last:int8 items:int32 length:int32 bytes   (engine.SnapshotChunk's layout)
 * Error (70)     utf8 message (int32 length + bytes)
 * Unavailable (71) reason:utf8
 * Item (72)      hasItem:int8 [mutation]
 * Written (73)   outcome:int8 version:int64
 * Count (74)     count:int32
 * Page (75)      count:int32 itemKey* more:int8
 * RingIs (76)    ring
 * StatusIs (77)  incarnation:int64 count:int32 partition:int32* usedMemory:int64 maxMemory:int64
 *                draining:int8
 * mutation = itemKey version:int64 expiresAt:int64 valueLength:int32 (-1 = delete) value contentType(utf8)
 * itemKey  = nsLength:int16 keyLength:int16 length:int32 bytes
 * bytes    = length:int32 (-1 = null) bytes;  utf8? = bytes of UTF-8
 * precondition = ifMatch:longs ifMatchAny:int8 ifNoneMatch:longs ifNoneMatchAny:int8
 *                (longs = count:int32 (-1 = null) int64*)
 * ring     = epoch:int64 partitions:int32 rf:int32 members:int32 (name:utf8 address:utf8 state:int8)*
 *            per partition: owners:int8 index:int16* pending:int8 index:int16*
 * </pre>
 *
 * All integers big-endian. A reply carries the correlation id of its request, so many requests are
 * in flight on one connection and answered in any order.
 */
final class Codec {
  static final int HEADER = 1 + 8 + 8;
  static final byte REPLICATE = 1;
  static final byte FETCH_SNAPSHOT = 2;
  static final byte GET = 3;
  static final byte WRITE = 4;
  static final byte DELETE_KEY = 5;
  static final byte LIST_IDS = 6;
  static final byte LIST_KEYS = 7;
  static final byte FETCH_RING = 8;
  static final byte INSTALL_RING = 9;
  static final byte STATUS = 10;
  static final byte ACK = 65;
  static final byte STALE = 66;
  static final byte BEHIND = 67;
  static final byte NOT_OWNER = 68;
  static final byte CHUNK = 69;
  static final byte ERROR = 70;
  static final byte UNAVAILABLE = 71;
  static final byte ITEM = 72;
  static final byte WRITTEN = 73;
  static final byte COUNT = 74;
  static final byte PAGE = 75;
  static final byte RING_IS = 76;
  static final byte STATUS_IS = 77;

  private Codec() {}

  /** A decoded frame: its correlation id and either a message or a reply (or an error text). */
  record Frame(long correlation, Message message, Reply reply, String error) {}

  static Buffer encode(long correlation, Message m) {
    Buffer b;
    if (m instanceof Message.Replicate r) {
      b = start(REPLICATE, correlation, m.epoch()).appendInt(r.partition());
      mutations(b, r.mutations());
    } else if (m instanceof Message.FetchSnapshot f) {
      b = start(FETCH_SNAPSHOT, correlation, m.epoch()).appendInt(f.partition()).appendInt(f.max());
      b.appendByte((byte) (f.after() == null ? 0 : 1));
      if (f.after() != null) {
        itemKey(b, f.after());
      }
    } else if (m instanceof Message.Get g) {
      b = start(GET, correlation, m.epoch()).appendInt(g.partition());
      itemKey(b, g.key());
      b.appendByte(flag(g.any()));
    } else if (m instanceof Message.Write w) {
      b = start(WRITE, correlation, m.epoch()).appendInt(w.partition());
      itemKey(b, w.key());
      bytes(b, w.value());
      bytes(b, w.contentType() == null ? null : w.contentType().getBytes(StandardCharsets.UTF_8));
      b.appendLong(w.ttlMillis());
      precondition(b, w.precondition());
    } else if (m instanceof Message.DeleteKey d) {
      b = start(DELETE_KEY, correlation, m.epoch()).appendInt(d.partition());
      bytes(b, d.namespace());
      bytes(b, d.key());
    } else if (m instanceof Message.ListIds l) {
      b = start(LIST_IDS, correlation, m.epoch()).appendInt(l.partition());
      bytes(b, l.namespace());
      bytes(b, l.key());
      bytes(b, l.after());
      b.appendInt(l.limit()).appendByte(flag(l.any()));
    } else if (m instanceof Message.ListKeys l) {
      b = start(LIST_KEYS, correlation, m.epoch());
      bytes(b, l.namespace());
      bytes(b, l.after());
      b.appendInt(l.limit());
    } else if (m instanceof Message.FetchRing) {
      b = start(FETCH_RING, correlation, m.epoch());
    } else if (m instanceof Message.InstallRing i) {
      b = start(INSTALL_RING, correlation, m.epoch()).appendLong(i.incarnation());
      ring(b, i.ring());
    } else {
      b = start(STATUS, correlation, m.epoch());
    }
    return finish(b);
  }

  static Buffer encode(long correlation, Reply r) {
    Buffer b;
    if (r instanceof Reply.Ack) {
      b = start(ACK, correlation, r.epoch());
    } else if (r instanceof Reply.Stale) {
      b = start(STALE, correlation, r.epoch());
    } else if (r instanceof Reply.Behind) {
      b = start(BEHIND, correlation, r.epoch());
    } else if (r instanceof Reply.NotOwner n) {
      b = start(NOT_OWNER, correlation, r.epoch()).appendInt(n.partition());
    } else if (r instanceof Reply.Chunk c) {
      byte[] data = c.chunk().data();
      b =
          start(CHUNK, correlation, r.epoch(), 9 + data.length)
              .appendByte(flag(c.chunk().last()))
              .appendInt(c.chunk().items())
              .appendInt(data.length)
              .appendBytes(data);
    } else if (r instanceof Reply.Unavailable u) {
      b = start(UNAVAILABLE, correlation, r.epoch());
      utf8(b, u.reason());
    } else if (r instanceof Reply.Item i) {
      b = start(ITEM, correlation, r.epoch()).appendByte(flag(i.item() != null));
      if (i.item() != null) {
        entry(b, i.item());
      }
    } else if (r instanceof Reply.Written w) {
      b =
          start(WRITTEN, correlation, r.epoch())
              .appendByte((byte) w.outcome().ordinal())
              .appendLong(w.version());
    } else if (r instanceof Reply.Count c) {
      b = start(COUNT, correlation, r.epoch()).appendInt(c.count());
    } else if (r instanceof Reply.Page p) {
      b = start(PAGE, correlation, r.epoch()).appendInt(p.items().size());
      p.items().forEach(k -> itemKey(b, k));
      b.appendByte(flag(p.more()));
    } else if (r instanceof Reply.RingIs ri) {
      b = start(RING_IS, correlation, r.epoch());
      ring(b, ri.ring());
    } else {
      Reply.StatusIs st = (Reply.StatusIs) r;
      b =
          start(STATUS_IS, correlation, r.epoch())
              .appendLong(st.incarnation())
              .appendInt(st.synced().size());
      st.synced().forEach(b::appendInt);
      b.appendLong(st.usedMemory()).appendLong(st.maxMemory()).appendByte(flag(st.draining()));
    }
    return finish(b);
  }

  static Buffer encodeError(long correlation, String message) {
    Buffer b = start(ERROR, correlation, 0);
    utf8(b, message);
    return finish(b);
  }

  /** Decodes the frame after its length field. */
  static Frame decode(Buffer frame) {
    Reader in = new Reader(frame);
    byte kind = in.b();
    long correlation = in.l();
    long epoch = in.l();
    return switch (kind) {
      case REPLICATE -> {
        int partition = in.i();
        yield message(correlation, new Message.Replicate(epoch, partition, mutations(in)));
      }
      case FETCH_SNAPSHOT -> {
        int partition = in.i();
        int max = in.i();
        ItemKey after = in.b() == 1 ? itemKey(in) : null;
        yield message(correlation, new Message.FetchSnapshot(epoch, partition, after, max));
      }
      case GET -> {
        int partition = in.i();
        ItemKey key = itemKey(in);
        yield message(correlation, new Message.Get(epoch, partition, key, in.b() == 1));
      }
      case WRITE -> {
        int partition = in.i();
        ItemKey key = itemKey(in);
        byte[] value = in.bytesOrNull();
        byte[] type = in.bytesOrNull();
        long ttl = in.l();
        yield message(
            correlation,
            new Message.Write(
                epoch,
                partition,
                key,
                value,
                type == null ? null : new String(type, StandardCharsets.UTF_8),
                ttl,
                precondition(in)));
      }
      case DELETE_KEY -> {
        int partition = in.i();
        byte[] ns = in.bytesOrNull();
        yield message(correlation, new Message.DeleteKey(epoch, partition, ns, in.bytesOrNull()));
      }
      case LIST_IDS -> {
        int partition = in.i();
        byte[] ns = in.bytesOrNull();
        byte[] key = in.bytesOrNull();
        byte[] after = in.bytesOrNull();
        int limit = in.i();
        yield message(
            correlation, new Message.ListIds(epoch, partition, ns, key, after, limit, in.b() == 1));
      }
      case LIST_KEYS -> {
        byte[] ns = in.bytesOrNull();
        byte[] after = in.bytesOrNull();
        yield message(correlation, new Message.ListKeys(epoch, ns, after, in.i()));
      }
      case FETCH_RING -> message(correlation, new Message.FetchRing(epoch));
      case INSTALL_RING -> {
        long incarnation = in.l();
        yield message(correlation, new Message.InstallRing(ring(in), incarnation));
      }
      case STATUS -> message(correlation, new Message.Status(epoch));
      case ACK -> reply(correlation, new Reply.Ack(epoch));
      case STALE -> reply(correlation, new Reply.Stale(epoch));
      case BEHIND -> reply(correlation, new Reply.Behind(epoch));
      case NOT_OWNER -> reply(correlation, new Reply.NotOwner(epoch, in.i()));
      case CHUNK -> {
        boolean last = in.b() == 1;
        int items = in.i();
        yield reply(
            correlation, new Reply.Chunk(epoch, SnapshotChunk.of(in.bytes(in.i()), items, last)));
      }
      case ERROR -> new Frame(correlation, null, null, in.utf8());
      case UNAVAILABLE -> reply(correlation, new Reply.Unavailable(epoch, in.utf8()));
      case ITEM -> reply(correlation, new Reply.Item(epoch, in.b() == 1 ? entry(in) : null));
      case WRITTEN -> {
        WriteResult.Outcome outcome = WriteResult.Outcome.values()[in.b()];
        yield reply(correlation, new Reply.Written(epoch, outcome, in.l()));
      }
      case COUNT -> reply(correlation, new Reply.Count(epoch, in.i()));
      case PAGE -> {
        int n = in.i();
        List<ItemKey> items = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
          items.add(itemKey(in));
        }
        yield reply(correlation, new Reply.Page(epoch, items, in.b() == 1));
      }
      case RING_IS -> reply(correlation, new Reply.RingIs(ring(in)));
      case STATUS_IS -> {
        long incarnation = in.l();
        int n = in.i();
        List<Integer> synced = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
          synced.add(in.i());
        }
        long used = in.l();
        long max = in.l();
        yield reply(
            correlation, new Reply.StatusIs(epoch, incarnation, synced, used, max, in.b() == 1));
      }
      default -> throw new IllegalArgumentException("unknown frame kind " + kind);
    };
  }

  private static Frame message(long correlation, Message m) {
    return new Frame(correlation, m, null, null);
  }

  private static Frame reply(long correlation, Reply r) {
    return new Frame(correlation, null, r, null);
  }

  private static byte flag(boolean b) {
    return (byte) (b ? 1 : 0);
  }

  private static void bytes(Buffer b, byte[] bytes) {
    if (bytes == null) {
      b.appendInt(-1);
    } else {
      b.appendInt(bytes.length).appendBytes(bytes);
    }
  }

  private static void longs(Buffer b, long[] values) {
    if (values == null) {
      b.appendInt(-1);
      return;
    }
    b.appendInt(values.length);
    for (long v : values) {
      b.appendLong(v);
    }
  }

  private static long[] longs(Reader in) {
    int n = in.i();
    if (n < 0) {
      return null;
    }
    long[] out = new long[n];
    for (int k = 0; k < n; k++) {
      out[k] = in.l();
    }
    return out;
  }

  private static void precondition(Buffer b, Precondition p) {
    longs(b, p.ifMatch());
    b.appendByte(flag(p.ifMatchAny()));
    longs(b, p.ifNoneMatch());
    b.appendByte(flag(p.ifNoneMatchAny()));
  }

  private static Precondition precondition(Reader in) {
    long[] ifMatch = longs(in);
    boolean ifMatchAny = in.b() == 1;
    long[] ifNoneMatch = longs(in);
    boolean ifNoneMatchAny = in.b() == 1;
    if (ifMatch == null && !ifMatchAny && ifNoneMatch == null && !ifNoneMatchAny) {
      return Precondition.NONE;
    }
    return new Precondition(ifMatch, ifMatchAny, ifNoneMatch, ifNoneMatchAny);
  }

  private static void ring(Buffer b, Ring r) {
    b.appendLong(r.epoch())
        .appendInt(r.partitions())
        .appendInt(r.replicationFactor())
        .appendInt(r.members().size());
    Map<String, Integer> index = new HashMap<>();
    for (Member m : r.members()) {
      index.put(m.name(), index.size());
      utf8(b, m.name());
      utf8(b, m.address());
      b.appendByte((byte) m.state().ordinal());
    }
    for (int p = 0; p < r.partitions(); p++) {
      for (List<Member> row : List.of(r.owners(p), r.pending(p))) {
        b.appendByte((byte) row.size());
        row.forEach(m -> b.appendShort((short) (int) index.get(m.name())));
      }
    }
  }

  private static Ring ring(Reader in) {
    long epoch = in.l();
    int partitions = in.i();
    int rf = in.i();
    int n = in.i();
    List<Member> members = new ArrayList<>(n);
    for (int k = 0; k < n; k++) {
      String name = in.utf8();
      String address = in.utf8();
      members.add(new Member(name, address, MemberState.values()[in.b()]));
    }
    int[][] owners = new int[partitions][];
    int[][] pending = new int[partitions][];
    for (int p = 0; p < partitions; p++) {
      owners[p] = indexes(in);
      pending[p] = indexes(in);
    }
    return Ring.create(epoch, members, partitions, rf, owners, pending);
  }

  private static int[] indexes(Reader in) {
    int[] out = new int[in.b()];
    for (int k = 0; k < out.length; k++) {
      out[k] = in.s();
    }
    return out;
  }

  private static Buffer start(byte kind, long correlation, long epoch) {
    return start(kind, correlation, epoch, 64);
  }

  /** A frame's start, in a buffer with room for {@code body} more bytes. */
  private static Buffer start(byte kind, long correlation, long epoch, int body) {
    return Buffer.buffer(HEADER + 4 + body)
        .appendInt(0)
        .appendByte(kind)
        .appendLong(correlation)
        .appendLong(epoch);
  }

  private static Buffer finish(Buffer b) {
    b.setInt(0, b.length() - 4);
    return b;
  }

  private static void mutations(Buffer b, List<Mutation> ms) {
    b.appendInt(ms.size());
    ms.forEach(x -> mutation(b, x));
  }

  private static void mutation(Buffer b, Mutation m) {
    itemKey(b, m.key());
    b.appendLong(m.version()).appendLong(m.expiresAt());
    if (m.isDelete()) {
      b.appendInt(-1);
    } else {
      b.appendInt(m.value().length).appendBytes(m.value());
      utf8(b, m.contentType());
    }
  }

  /** An item read: as a {@link #mutation} that is not a delete. */
  private static void entry(Buffer b, Entry e) {
    itemKey(b, e.key());
    b.appendLong(e.version()).appendLong(e.expiresAt());
    b.appendInt(e.valueLength()).appendBytes(e.value());
    utf8(b, e.contentType());
  }

  private static Entry entry(Reader in) {
    ItemKey key = itemKey(in);
    long version = in.l();
    long expiresAt = in.l();
    byte[] value = in.bytes(in.i());
    return Entry.of(key, value, in.utf8(), version, expiresAt);
  }

  private static List<Mutation> mutations(Reader in) {
    int n = in.i();
    List<Mutation> out = new ArrayList<>(n);
    for (int k = 0; k < n; k++) {
      out.add(mutation(in));
    }
    return out;
  }

  private static Mutation mutation(Reader in) {
    ItemKey key = itemKey(in);
    long version = in.l();
    long expiresAt = in.l();
    int length = in.i();
    if (length < 0) {
      return new Mutation(key, null, null, version, expiresAt);
    }
    byte[] value = in.bytes(length);
    return new Mutation(key, value, in.utf8(), version, expiresAt);
  }

  private static void itemKey(Buffer b, ItemKey k) {
    byte[] bytes = k.partitionKeyBytes();
    b.appendShort((short) k.namespaceLength())
        .appendShort((short) k.keyLength())
        .appendInt(bytes.length)
        .appendBytes(bytes);
  }

  private static ItemKey itemKey(Reader in) {
    int ns = in.s();
    int key = in.s();
    return ItemKey.fromLayout(in.bytes(in.i()), ns, key);
  }

  private static void utf8(Buffer b, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    b.appendInt(bytes.length).appendBytes(bytes);
  }

  /** Sequential reads over a frame. */
  private static final class Reader {
    private final Buffer buf;
    private int pos;

    Reader(Buffer buf) {
      this.buf = buf;
    }

    byte b() {
      return buf.getByte(pos++);
    }

    int s() {
      int v = buf.getUnsignedShort(pos);
      pos += 2;
      return v;
    }

    int i() {
      int v = buf.getInt(pos);
      pos += 4;
      return v;
    }

    long l() {
      long v = buf.getLong(pos);
      pos += 8;
      return v;
    }

    byte[] bytes(int n) {
      byte[] v = buf.getBytes(pos, pos + n);
      pos += n;
      return v;
    }

    byte[] bytesOrNull() {
      int n = i();
      return n < 0 ? null : bytes(n);
    }

    String utf8() {
      return new String(bytes(i()), StandardCharsets.UTF_8);
    }
  }
}
