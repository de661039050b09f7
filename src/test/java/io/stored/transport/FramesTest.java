package io.stored.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The frame splitter, fed the same bytes cut into reads in every way a socket could cut them. */
class FramesTest {
  private final List<byte[]> frames = new ArrayList<>();
  private final List<Integer> refused = new ArrayList<>();

  private Frames splitter(int maxLength) {
    return new Frames(
        length -> {
          if (length <= maxLength) {
            return true;
          }
          refused.add(length);
          return false;
        },
        f -> frames.add(f.getBytes()));
  }

  private static byte[] payload(int length, int seed) {
    byte[] b = new byte[length];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static Buffer framed(byte[]... payloads) {
    Buffer b = Buffer.buffer();
    for (byte[] p : payloads) {
      b.appendInt(p.length).appendBytes(p);
    }
    return b;
  }

  @Test
  void everyCutOfThreeFrames_yieldsTheSameThreeFrames() {
    byte[] a = payload(5, 1);
    byte[] b = payload(0, 2);
    byte[] c = payload(9, 3);
    Buffer all = framed(a, b, c);
    for (int cut1 = 0; cut1 <= all.length(); cut1++) {
      for (int cut2 = cut1; cut2 <= all.length(); cut2++) {
        frames.clear();
        Frames f = splitter(100);
        f.handle(all.getBuffer(0, cut1));
        f.handle(all.getBuffer(cut1, cut2));
        f.handle(all.getBuffer(cut2, all.length()));
        assertThat(frames).as("cut at %d and %d", cut1, cut2).containsExactly(a, b, c);
      }
    }
  }

  @Test
  void aFrameLargerThanTheEagerAllocation_arrivingInSmallReads_isWhole() {
    byte[] big = payload(3 * 1024 * 1024 + 17, 4);
    byte[] small = payload(3, 5);
    Buffer all = framed(big, small);
    Frames f = splitter(Integer.MAX_VALUE);
    for (int pos = 0; pos < all.length(); pos += 65_536) {
      f.handle(all.getBuffer(pos, Math.min(all.length(), pos + 65_536)));
    }
    assertThat(frames).containsExactly(big, small);
  }

  @Test
  void aRefusedLength_stopsReading() {
    Buffer all = framed(payload(4, 6), payload(50, 7), payload(4, 8));
    Frames f = splitter(10);
    f.handle(all);
    f.handle(framed(payload(4, 9)));
    assertThat(frames).hasSize(1);
    assertThat(refused).containsExactly(50);
  }
}
