package io.stored.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.stored.engine.WriteResult.Outcome;
import io.stored.testing.FakeTicker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The engine side of replication and state transfer: a replica applies the primary's mutations by
 * version, so duplicates, replays and snapshot chunks interleaved with live writes converge on the
 * primary's content.
 */
class ReplicaApplyTest {
  private static final byte[] NS = "default".getBytes(StandardCharsets.UTF_8);
  private final FakeTicker ticker = new FakeTicker();
  private final StoreEngine primary =
      new StoreEngine(new EngineSettings(1, 1 << 24, Eviction.NONE), ticker);
  private final StoreEngine replica =
      new StoreEngine(new EngineSettings(1, 1 << 24, Eviction.NONE), ticker);

  @Test
  void newerMutationsApply_olderAndDuplicateOnesDoNot() {
    Mutation v1 = primary.put(0, key("k"), bytes("one"), "t", 0, Precondition.NONE).mutation();
    Mutation v2 = primary.put(0, key("k"), bytes("two"), "t", 0, Precondition.NONE).mutation();

    assertThat(replica.apply(0, v2)).isEqualTo(Applied.APPLIED);
    assertThat(replica.apply(0, v1)).as("older").isEqualTo(Applied.SUPERSEDED);
    assertThat(replica.apply(0, v2)).as("duplicate").isEqualTo(Applied.SUPERSEDED);
    assertThat(replica.get(0, key("k")).value()).isEqualTo(bytes("two"));
    assertThat(replica.get(0, key("k")).version()).isEqualTo(v2.version());
  }

  @Test
  void aDeleteLeavesATombstone_soAnOlderWriteCannotResurrectTheItem() {
    Mutation write = primary.put(0, key("k"), bytes("v"), "t", 0, Precondition.NONE).mutation();
    Mutation delete = primary.delete(0, key("k"), Precondition.NONE).mutation();
    assertThat(delete.isDelete()).isTrue();
    assertThat(delete.version()).isGreaterThan(write.version());
    assertThat(primary.tombstones(0)).as("the primary keeps none").isZero();

    assertThat(replica.apply(0, delete)).isEqualTo(Applied.APPLIED);
    assertThat(replica.apply(0, write)).isEqualTo(Applied.SUPERSEDED);
    assertThat(replica.get(0, key("k"))).isNull();
    assertThat(replica.tombstones(0)).isEqualTo(1);
  }

  @Test
  void aTombstoneIsForgottenAfterTheGrace_andAWriteOlderThanItIsRefusedThen() {
    Mutation write = primary.put(0, key("k"), bytes("v"), "t", 0, Precondition.NONE).mutation();
    Mutation otherWrite =
        primary.put(0, key("other"), bytes("v"), "t", 0, Precondition.NONE).mutation();
    Mutation delete = primary.delete(0, key("k"), Precondition.NONE).mutation();
    assertThat(replica.apply(0, delete)).isEqualTo(Applied.APPLIED);

    ticker.advance(Duration.ofSeconds(9));
    assertThat(replica.forgetTombstones(0, 10_000)).as("younger than the grace").isZero();
    assertThat(replica.tombstones(0)).isEqualTo(1);
    ticker.advance(Duration.ofSeconds(2));
    assertThat(replica.forgetTombstones(0, 10_000)).isEqualTo(1);
    assertThat(replica.tombstones(0)).isZero();

    // the write the delete superseded arrives late: it must not bring the item back, nor may
    // another write as old (the replica cannot tell which item the delete was of)
    assertThat(replica.apply(0, write)).isEqualTo(Applied.REFUSED);
    assertThat(replica.apply(0, otherWrite)).isEqualTo(Applied.REFUSED);
    assertThat(replica.get(0, key("k"))).isNull();
    assertThat(replica.get(0, key("other"))).isNull();

    // writes made after the delete apply as usual, and so do older ones of items it holds
    Mutation newer = primary.put(0, key("k"), bytes("new"), "t", 0, Precondition.NONE).mutation();
    assertThat(replica.apply(0, newer)).isEqualTo(Applied.APPLIED);
    assertThat(replica.get(0, key("k")).value()).isEqualTo(bytes("new"));
    assertThat(replica.apply(0, write)).isEqualTo(Applied.SUPERSEDED);

    // a partition cleared to be received afresh takes old writes again (snapshot chunks)
    replica.clear(0);
    assertThat(replica.apply(0, otherWrite)).isEqualTo(Applied.APPLIED);
  }

  @Test
  void forgettingStopsAtTheFirstYoungTombstone_andAKeyDeletedAgainMovesToTheEnd() {
    Mutation[] a = putThenDelete("a");
    Mutation[] b = putThenDelete("b");
    replica.apply(0, a[1]);
    replica.apply(0, b[1]);
    ticker.advance(Duration.ofSeconds(20));
    Mutation[] aAgain = putThenDelete("a");
    replica.apply(0, aAgain[1]);
    replica.apply(0, putThenDelete("c")[1]);
    assertThat(replica.tombstones(0)).isEqualTo(3);

    // in arrival order b is now first (a moved behind it), then the young a and c
    assertThat(replica.forgetTombstones(0, 10_000)).as("b only").isEqualTo(1);
    assertThat(replica.apply(0, aAgain[0]))
        .as("a's tombstone is kept")
        .isEqualTo(Applied.SUPERSEDED);
    ticker.advance(Duration.ofSeconds(11));
    assertThat(replica.forgetTombstones(0, 10_000)).isEqualTo(2);
    assertThat(replica.tombstones(0)).isZero();
  }

  @Test
  void aPromotedReplica_continuesTheVersionSequence() {
    Mutation last = null;
    for (int i = 0; i < 10; i++) {
      last = primary.put(0, key("k" + i), bytes("v"), "t", 0, Precondition.NONE).mutation();
      replica.apply(0, last);
    }
    WriteResult afterFailover = replica.put(0, key("k0"), bytes("new"), "t", 0, Precondition.NONE);
    assertThat(afterFailover.outcome()).isEqualTo(Outcome.UPDATED);
    assertThat(afterFailover.entry().version()).isGreaterThan(last.version());
    // an ETag from before the failover still guards conditional writes on the new primary
    Precondition stale = new Precondition(new long[] {last.version()}, false, null, false);
    assertThat(replica.put(0, key("k0"), bytes("x"), "t", 0, stale).outcome())
        .isEqualTo(Outcome.PRECONDITION_FAILED);
  }

  @Test
  void snapshotChunks_interleavedWithLiveWrites_convergeOnThePrimary() {
    Random random = new Random(42);
    for (int round = 0; round < 20; round++) {
      StoreEngine p = new StoreEngine(new EngineSettings(1, 1 << 24, Eviction.NONE), ticker);
      StoreEngine joiner = new StoreEngine(new EngineSettings(1, 1 << 24, Eviction.NONE), ticker);
      for (int i = 0; i < 200; i++) {
        p.put(
            0,
            key("k" + random.nextInt(300)),
            bytes("v" + i),
            "t",
            random.nextInt(4) == 0 ? 60_000 : 0,
            Precondition.NONE);
      }
      // the joiner receives live writes (possibly late, reordered, duplicated) while it pulls
      // chunks
      Deque<Mutation> inFlight = new ArrayDeque<>();
      long joinerGeneration = joiner.clear(0);
      ItemKey cursor = null;
      boolean done = false;
      while (!done || !inFlight.isEmpty()) {
        int action = random.nextInt(4);
        if (action == 0 && !done) {
          SnapshotChunk chunk = p.snapshot(0, cursor, 1 + random.nextInt(25));
          // as the receiving store does: the chunk as it arrives off the wire, until the last
          cursor =
              joiner.restore(
                  0, SnapshotChunk.of(chunk.data(), chunk.items(), chunk.last()), joinerGeneration);
          done = chunk.last();
        } else if (action == 1) {
          String k = "k" + random.nextInt(300);
          WriteResult w =
              random.nextInt(3) == 0
                  ? p.delete(0, key(k), Precondition.NONE)
                  : p.put(0, key(k), bytes("live" + random.nextInt()), "t", 0, Precondition.NONE);
          if (w.mutation() != null) {
            inFlight.add(w.mutation());
            if (random.nextInt(5) == 0) {
              inFlight.add(w.mutation());
            }
          }
        } else if (!inFlight.isEmpty()) {
          List<Mutation> batch = new ArrayList<>(inFlight);
          inFlight.clear();
          Collections.shuffle(batch, random);
          batch.forEach(m -> joiner.apply(0, m));
        }
      }
      assertThat(contents(joiner)).isEqualTo(contents(p));
      assertThat(joiner.usedMemory()).isEqualTo(p.usedMemory());
    }
  }

  @Test
  void snapshot_skipsExpiredItems_andPagesInKeyOrder() {
    primary.put(0, key("a"), bytes("v"), "t", 1000, Precondition.NONE);
    primary.put(0, key("b"), bytes("v"), "t", 0, Precondition.NONE);
    primary.put(0, key("c"), bytes("v"), "t", 0, Precondition.NONE);
    ticker.advance(java.time.Duration.ofSeconds(2));
    List<Mutation> first = primary.snapshot(0, null, 1).mutations();
    assertThat(first).extracting(m -> m.key().key()).containsExactly("b");
    assertThat(primary.snapshot(0, first.get(0).key(), 10).mutations())
        .extracting(m -> m.key().key())
        .containsExactly("c");
  }

  private static List<String> contents(StoreEngine e) {
    List<String> out = new ArrayList<>();
    for (Mutation m : e.snapshot(0, null, Integer.MAX_VALUE).mutations()) {
      out.add(
          m.key()
              + "="
              + new String(m.value(), StandardCharsets.UTF_8)
              + "@"
              + m.version()
              + "/"
              + m.expiresAt());
    }
    return out;
  }

  /** A write of {@code k} on the primary and the delete of it that follows. */
  private Mutation[] putThenDelete(String k) {
    Mutation put = primary.put(0, key(k), bytes("v"), "t", 0, Precondition.NONE).mutation();
    return new Mutation[] {put, primary.delete(0, key(k), Precondition.NONE).mutation()};
  }

  private static ItemKey key(String k) {
    return ItemKey.of(NS, k.getBytes(StandardCharsets.UTF_8), "0".getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
