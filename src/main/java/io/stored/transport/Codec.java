package io.stored.transport;

import io.stored.engine.ItemKey;
import io.stored.engine.Mutation;
import io.stored.replication.Message;
import io.stored.replication.Reply;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The wire format of the internal transport, and the only place that knows it.
 *
 * <pre>
 * frame    = length:int32 (bytes after this field) kind:int8 correlation:int64 epoch:int64 body
 * Replicate      (kind 1)  partition:int32 count:int32 mutation*
 * FetchSnapshot  (kind 2)  partition:int32 max:int32 hasAfter:int8 [itemKey]
 * Ack (65) | Stale (66) | Behind (67)          (no body)
 * NotOwner (68)  partition:int32
 * Chunk (69)     count:int32 mutation*
 * Error (70)     utf8 message (int32 length + bytes)
 * mutation = itemKey version:int64 expiresAt:int64 valueLength:int32 (-1 = delete) value contentType(utf8)
 * itemKey  = nsLength:int16 keyLength:int16 length:int32 bytes
 * </pre>
 *
 * All integers big-endian. A reply carries the correlation id of its request, so many requests are
 * in flight on one connection and answered in any order.
 */
final class Codec {
  static final int HEADER = 1 + 8 + 8;
  static final byte REPLICATE = 1;
  static final byte FETCH_SNAPSHOT = 2;
  static final byte ACK = 65;
  static final byte STALE = 66;
  static final byte BEHIND = 67;
  static final byte NOT_OWNER = 68;
  static final byte CHUNK = 69;
  static final byte ERROR = 70;

  private Codec() {}

  /** A decoded frame: its correlation id and either a message or a reply (or an error text). */
  record Frame(long correlation, Message message, Reply reply, String error) {}

  static Buffer encode(long correlation, Message m) {
    Buffer b =
        start(m instanceof Message.Replicate ? REPLICATE : FETCH_SNAPSHOT, correlation, m.epoch());
    if (m instanceof Message.Replicate r) {
      b.appendInt(r.partition()).appendInt(r.mutations().size());
      r.mutations().forEach(x -> mutation(b, x));
    } else {
      Message.FetchSnapshot f = (Message.FetchSnapshot) m;
      b.appendInt(f.partition()).appendInt(f.max()).appendByte((byte) (f.after() == null ? 0 : 1));
      if (f.after() != null) {
        itemKey(b, f.after());
      }
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
    } else {
      Reply.Chunk c = (Reply.Chunk) r;
      b = start(CHUNK, correlation, r.epoch()).appendInt(c.mutations().size());
      c.mutations().forEach(x -> mutation(b, x));
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
        yield new Frame(
            correlation, new Message.Replicate(epoch, partition, mutations(in)), null, null);
      }
      case FETCH_SNAPSHOT -> {
        int partition = in.i();
        int max = in.i();
        ItemKey after = in.b() == 1 ? itemKey(in) : null;
        yield new Frame(
            correlation, new Message.FetchSnapshot(epoch, partition, after, max), null, null);
      }
      case ACK -> new Frame(correlation, null, new Reply.Ack(epoch), null);
      case STALE -> new Frame(correlation, null, new Reply.Stale(epoch), null);
      case BEHIND -> new Frame(correlation, null, new Reply.Behind(epoch), null);
      case NOT_OWNER -> new Frame(correlation, null, new Reply.NotOwner(epoch, in.i()), null);
      case CHUNK -> new Frame(correlation, null, new Reply.Chunk(epoch, mutations(in)), null);
      case ERROR -> new Frame(correlation, null, null, in.utf8());
      default -> throw new IllegalArgumentException("unknown frame kind " + kind);
    };
  }

  private static Buffer start(byte kind, long correlation, long epoch) {
    return Buffer.buffer(64)
        .appendInt(0)
        .appendByte(kind)
        .appendLong(correlation)
        .appendLong(epoch);
  }

  private static Buffer finish(Buffer b) {
    b.setInt(0, b.length() - 4);
    return b;
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

  private static List<Mutation> mutations(Reader in) {
    int n = in.i();
    List<Mutation> out = new ArrayList<>(n);
    for (int k = 0; k < n; k++) {
      ItemKey key = itemKey(in);
      long version = in.l();
      long expiresAt = in.l();
      int length = in.i();
      if (length < 0) {
        out.add(new Mutation(key, null, null, version, expiresAt));
      } else {
        byte[] value = in.bytes(length);
        out.add(new Mutation(key, value, in.utf8(), version, expiresAt));
      }
    }
    return out;
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

    String utf8() {
      return new String(bytes(i()), StandardCharsets.UTF_8);
    }
  }
}
