package io.stored.transport;

import io.netty.buffer.Unpooled;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * Splits a connection's bytes into frames: a 4-byte length, then that many bytes. Each frame is
 * handed on as a {@link Buffer} of its bytes (without the length).
 *
 * <p>A frame that arrives whole within one read is a slice of that read's buffer, not a copy (the
 * buffer a socket hands its handler is its own). A frame spread over several reads is copied once
 * into an array of its size; Vert.x's {@code RecordParser} appended each read to a growing buffer
 * and copied the frame out of it, three copies of a state-transfer chunk instead of one. Not
 * thread-safe: one instance per connection, fed from its event loop.
 */
final class Frames implements Handler<Buffer> {
  /**
   * The array allocated for a frame before its bytes arrive is at most this large; a larger one
   * grows as they come, so a peer that announces a huge frame and sends nothing holds little.
   */
  private static final int EAGER_ALLOCATION = 1 << 20;

  private final IntPredicate acceptLength;
  private final Handler<Buffer> onFrame;

  /** The length prefix being read, when split across reads. */
  private final byte[] header = new byte[4];

  private int headerFill;

  /** The frame being assembled (null between frames), its announced length and bytes so far. */
  private byte[] body;

  private int bodyLength;
  private int bodyFill;
  private boolean closed;

  /**
   * @param acceptLength told each announced length; false refuses it, and the connection (which the
   *     predicate should close) is read no further
   */
  Frames(IntPredicate acceptLength, Handler<Buffer> onFrame) {
    this.acceptLength = acceptLength;
    this.onFrame = onFrame;
  }

  @Override
  public void handle(Buffer in) {
    int n = in.length();
    int pos = 0;
    while (pos < n && !closed) {
      if (body != null) {
        pos = fillBody(in, pos);
        continue;
      }
      int length;
      if (headerFill == 0 && n - pos >= 4) {
        length = in.getInt(pos);
        pos += 4;
      } else {
        while (headerFill < 4 && pos < n) {
          header[headerFill++] = in.getByte(pos++);
        }
        if (headerFill < 4) {
          return;
        }
        headerFill = 0;
        length =
            (header[0] & 0xFF) << 24
                | (header[1] & 0xFF) << 16
                | (header[2] & 0xFF) << 8
                | (header[3] & 0xFF);
      }
      if (!acceptLength.test(length)) {
        closed = true;
        return;
      }
      if (n - pos >= length) {
        onFrame.handle(in.slice(pos, pos + length));
        pos += length;
      } else {
        body = new byte[Math.min(length, EAGER_ALLOCATION)];
        bodyLength = length;
        bodyFill = 0;
      }
    }
  }

  /** Copies what {@code in} has of the current frame from {@code pos}; returns the new position. */
  private int fillBody(Buffer in, int pos) {
    int take = Math.min(in.length() - pos, bodyLength - bodyFill);
    if (bodyFill + take > body.length) {
      body = Arrays.copyOf(body, (int) Math.min(bodyLength, 2L * (bodyFill + take)));
    }
    in.getBytes(pos, pos + take, body, bodyFill);
    bodyFill += take;
    if (bodyFill == bodyLength) {
      byte[] frame = body;
      body = null;
      onFrame.handle(Buffer.buffer(Unpooled.wrappedBuffer(frame))); // wraps, no copy
    }
    return pos + take;
  }
}
