package io.stored.ring;

import static org.assertj.core.api.Assertions.assertThat;

import io.stored.ring.Planner.Candidate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The membership planner: joins, leaves, failures and returns, each followed through the
 * transitional ring (pending owners) to the settled one. Throughout, no partition ever has fewer
 * copies holding data than RF allows by the failures so far.
 */
class PlannerTest {
  private static final int Q = 256;
  private static final int RF = 2;

  @Test
  void bootstrap_ownsEveryPartitionAtOnce_withNothingToCopy() {
    Ring ring = Planner.plan(Ring.empty(Q), candidates(3), RF);
    assertThat(ring.epoch()).isEqualTo(1);
    assertThat(ring.moving()).isFalse();
    assertThat(ring.members()).extracting(Member::state).containsOnly(MemberState.ACTIVE);
    for (int p = 0; p < Q; p++) {
      assertThat(ring.owners(p)).hasSize(RF);
    }
    Ring settled = settle(ring, candidates(3));
    assertThat(Movement.between(ring, settled).replicasMoved())
        .as("then only primaries are evened out")
        .isZero();
  }

  @Test
  void join_newStoreOnlyReceivesUntilInSync_thenOwnsItsShare() {
    Ring three = settle(Planner.plan(Ring.empty(Q), candidates(3), RF), candidates(3));
    Ring moving = Planner.plan(three, candidates(4), RF);
    assertThat(moving.epoch()).isEqualTo(three.epoch() + 1);
    assertThat(moving.member("s3").state()).isEqualTo(MemberState.JOINING);
    assertThat(moving.ownedBy("s3")).as("empty: owns nothing yet").isZero();
    int incoming = 0;
    for (int p = 0; p < Q; p++) {
      assertThat(names(moving.owners(p)))
          .as("owners kept while moving")
          .isEqualTo(names(three.owners(p)));
      incoming += moving.isPending(p, "s3") ? 1 : 0;
    }
    assertThat(incoming).isEqualTo(Q * RF / 4);
    assertThat(Planner.plan(moving, candidates(4), RF))
        .as("nothing changes until it reports")
        .isSameAs(moving);

    Ring done = Planner.plan(moving, synced(moving, candidates(4)), RF);
    assertThat(done.moving()).isFalse();
    assertThat(done.member("s3").state()).isEqualTo(MemberState.ACTIVE);
    assertThat(done.ownedBy("s3")).isEqualTo(Q * RF / 4);
    for (int p = 0; p < Q; p++) {
      assertThat(done.owners(p)).hasSize(RF);
    }
  }

  @Test
  void leave_keepsTheLeaverAnOwnerUntilItsPartitionsAreCopied_thenDropsIt() {
    Ring four = settle(Planner.plan(Ring.empty(Q), candidates(4), RF), candidates(4));
    List<Candidate> leaving = candidates(4);
    leaving.set(3, new Candidate("s3", "a3", true, false, true, Set.of()));
    Ring moving = Planner.plan(four, leaving, RF);
    assertThat(moving.member("s3").state()).isEqualTo(MemberState.LEAVING);
    assertThat(moving.ownedBy("s3")).isEqualTo(four.ownedBy("s3"));
    Ring done = settle(moving, leaving);
    assertThat(done.member("s3")).as("gone from the ring: it may be stopped").isNull();
    for (int p = 0; p < Q; p++) {
      assertThat(done.owners(p)).hasSize(RF);
    }
  }

  @Test
  void down_backupsLeadAtOnce_thenRfIsRestored_andAReturnIsRefilled() {
    Ring three = settle(Planner.plan(Ring.empty(Q), candidates(3), RF), candidates(3));
    List<Candidate> s0Dead = candidates(3);
    s0Dead.set(0, new Candidate("s0", "a0", false, false, false, Set.of()));
    Ring failed = Planner.plan(three, s0Dead, RF);
    assertThat(failed.member("s0").state()).isEqualTo(MemberState.DOWN);
    assertThat(failed.ownedBy("s0")).isZero();
    for (int p = 0; p < Q; p++) {
      assertThat(failed.owners(p)).as("one copy is left of every partition").isNotEmpty();
      assertThat(failed.owners(p).size() + failed.pending(p).size()).isEqualTo(RF);
    }
    Ring restored = Planner.plan(failed, synced(failed, s0Dead), RF);
    for (int p = 0; p < Q; p++) {
      assertThat(names(restored.owners(p))).hasSize(RF).doesNotContain("s0");
    }

    Ring back = Planner.plan(restored, candidates(3), RF);
    assertThat(back.member("s0").state()).isEqualTo(MemberState.JOINING);
    assertThat(back.ownedBy("s0")).as("its old copy is stale: it re-fills").isZero();
    Ring settled = settle(back, candidates(3));
    assertThat(settled.member("s0").state()).isEqualTo(MemberState.ACTIVE);
    assertThat(settled.ownedBy("s0")).isBetween(Q * RF / 3, Q * RF / 3 + 1);
  }

  @Test
  void restartWithEmptyMemory_isStrippedAndRefilled_evenWithoutBeingSeenDown() {
    Ring three = settle(Planner.plan(Ring.empty(Q), candidates(3), RF), candidates(3));
    List<Candidate> fresh = candidates(3);
    fresh.set(1, new Candidate("s1", "a1", true, true, false, Set.of()));
    Ring next = Planner.plan(three, fresh, RF);
    assertThat(next.member("s1").state()).isEqualTo(MemberState.JOINING);
    assertThat(next.ownedBy("s1")).isZero();
    for (int p = 0; p < Q; p++) {
      assertThat(next.owners(p)).isNotEmpty();
    }
  }

  @Test
  void partialSyncReports_neitherChurnNorOvercopy() {
    Ring three = settle(Planner.plan(Ring.empty(Q), candidates(3), RF), candidates(3));
    Ring ring = Planner.plan(three, candidates(4), RF);
    Set<String> copies = new HashSet<>();
    // s3 reports its partitions in sync a few at a time, as a real transfer does
    for (int round = 0; round < 200 && ring.moving(); round++) {
      List<Candidate> cs = candidates(4);
      Set<Integer> some = new HashSet<>();
      for (int p = 0; p < Q && some.size() < 10; p++) {
        if (ring.isPending(p, "s3")) {
          some.add(p);
          copies.add(p + ">s3");
        }
      }
      cs.set(3, new Candidate("s3", "a3", true, false, false, some));
      ring = Planner.plan(ring, cs, RF);
    }
    ring = settle(ring, candidates(4));
    assertThat(ring.ownedBy("s3")).isEqualTo(Q * RF / 4);
    assertThat(copies)
        .as("each partition s3 received was copied once, and no more than its share")
        .hasSizeLessThanOrEqualTo((int) (1.1 * Q * RF / 4));
  }

  /** Plans with every pending owner reporting in sync until nothing moves. */
  private static Ring settle(Ring ring, List<Candidate> candidates) {
    for (int round = 0; round < 10; round++) {
      Ring next = Planner.plan(ring, synced(ring, candidates), RF);
      if (next == ring) {
        return ring;
      }
      ring = next;
    }
    throw new AssertionError("did not settle: " + ring);
  }

  private static List<Candidate> synced(Ring ring, List<Candidate> candidates) {
    List<Candidate> out = new ArrayList<>();
    for (Candidate c : candidates) {
      Set<Integer> synced = new HashSet<>();
      for (int p = 0; p < ring.partitions(); p++) {
        if (ring.isPending(p, c.name())) {
          synced.add(p);
        }
      }
      out.add(new Candidate(c.name(), c.address(), c.alive(), c.fresh(), c.leave(), synced));
    }
    return out;
  }

  private static List<Candidate> candidates(int n) {
    List<Candidate> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(Candidate.alive("s" + i, "a" + i));
    }
    return out;
  }

  private static List<String> names(List<Member> ms) {
    return ms.stream().map(Member::name).toList();
  }
}
