package io.stored.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stored.testing.FakeTicker;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The state-transfer chunk: what a primary writes from its records, a receiving store (whose engine
 * numbers content types its own way, and may keep LRU times the primary does not) restores into its
 * own records; and a malformed chunk is refused whole.
 */
class SnapshotChunkTest {
  /** The generation of a partition that was never cleared ({@link StoreEngine#clear}). */
  private static final long NEVER_CLEARED = 0;

  private final FakeTicker ticker = new FakeTicker();

  private StoreEngine engine(Eviction eviction) {
    return new StoreEngine(new EngineSettings(1, 1 << 26, eviction), ticker);
  }

  /** 300 items over 3 namespaces, 140 content types (past the 127 that get a code), some TTLs. */
  private static List<Mutation> items(StoreEngine primary) {
    List<Mutation> written = new ArrayList<>();
    Random random = new Random(7);
    for (int i = 0; i < 300; i++) {
      ItemKey key = ItemKey.of("ns" + i % 3, "k" + i, i % 5 == 0 ? "" : "id" + i);
      byte[] value = new byte[random.nextInt(2000)];
      random.nextBytes(value);
      written.add(
          primary
              .put(0, key, value, "type/" + i % 140, i % 4 == 0 ? 60_000 : 0, Precondition.NONE)
              .mutation());
    }
    return written;
  }

  @Test
  void aChunkRestoredIntoAnEngineThatNumbersTypesOtherwise_holdsTheSameItems() {
    for (Eviction receiverEviction : Eviction.values()) {
      StoreEngine primary = engine(Eviction.NONE);
      List<Mutation> written = items(primary);
      StoreEngine receiver = engine(receiverEviction);
      StoreEngine byMutations = engine(receiverEviction);
      // the receivers already gave codes to some types, in another order than the primary did
      for (StoreEngine e : List.of(receiver, byMutations)) {
        for (int t = 139; t >= 100; t--) {
          e.put(
              0, ItemKey.of("zz", "seed", "" + t), new byte[1], "type/" + t, 0, Precondition.NONE);
        }
      }
      ItemKey after = null;
      int chunks = 0;
      for (SnapshotChunk c; (c = primary.snapshot(0, after, 64)).items() > 0; chunks++) {
        after =
            receiver.restore(
                0, SnapshotChunk.of(c.data().clone(), c.items(), c.last()), NEVER_CLEARED);
        c.mutations().forEach(m -> byMutations.apply(0, m));
      }
      assertThat(chunks).isEqualTo(5);
      for (Mutation m : written) {
        Entry e = receiver.get(0, m.key());
        assertThat(e).as("%s", m.key()).isNotNull();
        assertThat(e.value()).isEqualTo(m.value());
        assertThat(e.contentType()).isEqualTo(m.contentType());
        assertThat(e.version()).isEqualTo(m.version());
        assertThat(e.expiresAt()).isEqualTo(m.expiresAt());
      }
      assertThat(receiver.entries()).isEqualTo(300 + 40);
      // the same records, so the same memory, as applying the items one mutation at a time
      assertThat(receiver.usedMemory()).isEqualTo(byMutations.usedMemory());
    }
  }

  @Test
  void aChunkStopsAtAbout8MiB_andThePrimaryMarksTheLastOne() {
    StoreEngine primary = engine(Eviction.NONE);
    for (int i = 0; i < 5; i++) {
      primary.put(0, ItemKey.of("n", "big" + i, ""), new byte[5 << 20], "t", 0, Precondition.NONE);
    }
    primary.put(0, ItemKey.of("n", "z", ""), bytes("small"), "t", 0, Precondition.NONE);
    StoreEngine receiver = engine(Eviction.NONE);
    List<Integer> items = new ArrayList<>();
    List<Boolean> last = new ArrayList<>();
    ItemKey after = null;
    SnapshotChunk c;
    do {
      c = primary.snapshot(0, after, 1000);
      items.add(c.items());
      last.add(c.last());
      after = receiver.restore(0, c, NEVER_CLEARED);
    } while (!c.last());
    // two 5 MiB values would pass 8 MiB; the last large one and the small one fit together
    assertThat(items).containsExactly(1, 1, 1, 1, 2);
    assertThat(last).containsExactly(false, false, false, false, true);
    assertThat(receiver.entries()).isEqualTo(6);

    // bounded by the item count: exactly max items left is the last chunk, more is not
    assertThat(primary.snapshot(0, ItemKey.of("n", "big3", ""), 2).last()).isTrue();
    assertThat(primary.snapshot(0, ItemKey.of("n", "big3", ""), 1).last()).isFalse();
  }

  @Test
  void aChunkDoesNotUndoANewerWriteOrDelete() {
    StoreEngine primary = engine(Eviction.NONE);
    primary.put(0, ItemKey.of("n", "a", ""), bytes("old a"), "t", 0, Precondition.NONE);
    primary.put(0, ItemKey.of("n", "b", ""), bytes("old b"), "t", 0, Precondition.NONE);
    SnapshotChunk chunk = primary.snapshot(0, null, 10);
    Mutation newer =
        primary
            .put(0, ItemKey.of("n", "a", ""), bytes("new a"), "t", 0, Precondition.NONE)
            .mutation();
    Mutation delete = primary.delete(0, ItemKey.of("n", "b", ""), Precondition.NONE).mutation();

    StoreEngine receiver = engine(Eviction.NONE);
    receiver.apply(0, newer);
    receiver.apply(0, delete);
    assertThat(receiver.restore(0, chunk, NEVER_CLEARED)).isEqualTo(ItemKey.of("n", "b", ""));
    assertThat(receiver.get(0, ItemKey.of("n", "a", "")).value()).isEqualTo(bytes("new a"));
    assertThat(receiver.get(0, ItemKey.of("n", "b", ""))).isNull();
  }

  @Test
  void aChunkOfATransferCalledOffSince_isNotApplied() {
    StoreEngine primary = engine(Eviction.NONE);
    primary.put(0, ItemKey.of("n", "a", ""), bytes("a"), "t", 0, Precondition.NONE);
    StoreEngine receiver = engine(Eviction.NONE);
    long first = receiver.clear(0);
    SnapshotChunk chunk = primary.snapshot(0, null, 10);
    long second = receiver.clear(0);
    assertThat(second).isNotEqualTo(first);

    assertThat(receiver.restore(0, chunk, first)).isNull();
    assertThat(receiver.entries()).isZero();
    assertThat(receiver.restore(0, chunk, second)).isEqualTo(ItemKey.of("n", "a", ""));
    assertThat(receiver.get(0, ItemKey.of("n", "a", "")).value()).isEqualTo(bytes("a"));
  }

  @Test
  void everyTruncationOrCorruptionOfAChunk_isRefusedAsMalformed() {
    StoreEngine primary = engine(Eviction.NONE);
    primary.put(
        0, ItemKey.of("ns", "key", "id"), bytes("value"), "text/plain", 5000, Precondition.NONE);
    primary.put(
        0, ItemKey.of("ns", "key2", ""), bytes("v2"), "application/json", 0, Precondition.NONE);
    SnapshotChunk good = primary.snapshot(0, null, 10);
    byte[] data = good.data();
    assertThat(SnapshotChunk.of(data, 2, true).mutations()).hasSize(2);

    for (int length = 0; length < data.length; length++) {
      byte[] cut = Arrays.copyOf(data, length);
      assertThatThrownBy(() -> SnapshotChunk.of(cut, 2, true))
          .as("cut to %d bytes", length)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> SnapshotChunk.of(data, 3, true))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SnapshotChunk.of(data, 1, true))
        .hasMessageContaining("trailing bytes");
    assertThatThrownBy(() -> SnapshotChunk.of(data, -1, true))
        .isInstanceOf(IllegalArgumentException.class);
    // every single corrupted byte is either refused or read as a well-formed chunk, never thrown
    // as anything else
    for (int i = 0; i < data.length; i++) {
      byte[] bad = data.clone();
      bad[i] ^= (byte) 0xA5;
      try {
        SnapshotChunk.of(bad, 2, true).mutations();
      } catch (IllegalArgumentException expected) {
        // refused
      }
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
