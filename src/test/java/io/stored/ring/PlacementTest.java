package io.stored.ring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Properties of placement for Q = 1024, RF = 2 and 1 to 20 stores: balance within 5 % of the mean,
 * movement within 1.1x the minimum when one store joins or leaves, a leaver owns nothing, and
 * rebalancing is idempotent (in the manner of Infinispan's RendezvousSegmentMovementTest:
 * properties, not fixed tables).
 */
class PlacementTest {
  private static final int Q = 1024;
  private static final int RF = 2;

  @Test
  void fromNothing_everyStoreCountIsBalanced() {
    for (int n = 1; n <= 20; n++) {
      Ring ring = Placement.rebalance(Ring.empty(Q), active(n), RF);
      assertInvariants(ring, RF);
      assertThat(ring.epoch()).isEqualTo(1);
    }
  }

  @Test
  void addingOneStore_movesAtMost1Point1TimesTheMinimum() {
    for (int n = 1; n < 20; n++) {
      Ring before = Placement.rebalance(Ring.empty(Q), active(n), RF);
      Ring after = Placement.rebalance(before, active(n + 1), RF);
      assertReplicaInvariants(after, RF);
      int minimum = after.ownedBy(name(n));
      Movement moved = Movement.between(before, after);
      assertThat(moved.replicasMoved())
          .as("%s -> %s stores", n, n + 1)
          .isLessThanOrEqualTo((int) (1.1 * minimum));
      assertThat(after.epoch()).isEqualTo(before.epoch() + 1);
      for (int p = 0; p < Q; p++) {
        assertThat(after.owners(p).get(0).name())
            .as("a new store is empty: it leads nothing yet")
            .isNotEqualTo(name(n));
      }
      // once it holds its partitions (the next epoch), primaries are evened out, moving no data
      Ring settled = Placement.rebalance(after, active(n + 1), RF);
      assertInvariants(settled, RF);
      assertThat(Movement.between(after, settled).replicasMoved()).isZero();
      assertThat(Placement.rebalance(settled, active(n + 1), RF)).isSameAs(settled);
    }
  }

  @ParameterizedTest(name = "the leaver is store {0} of N")
  @ValueSource(ints = {0, 1, 7})
  void removingOneStore_movesAtMost1Point1TimesTheMinimum_andTheLeaverOwnsNothing(int leaverIndex) {
    for (int n = Math.max(2, leaverIndex + 1); n <= 20; n++) {
      Ring before = Placement.rebalance(Ring.empty(Q), active(n), RF);
      List<Member> members = new ArrayList<>(active(n));
      Member leaver = members.get(leaverIndex);
      for (MemberState how : List.of(MemberState.LEAVING, MemberState.DOWN)) {
        members.set(leaverIndex, new Member(leaver.name(), leaver.address(), how));
        Ring after = Placement.rebalance(before, members, RF);
        assertReplicaInvariants(after, RF);
        assertThat(after.ownedBy(leaver.name()))
            .as("%s owns nothing once %s", leaver.name(), how)
            .isZero();
        int survivorsHad = Q * Math.min(RF, n) - before.ownedBy(leaver.name());
        int minimum = Math.max(0, Q * Math.min(RF, n - 1) - survivorsHad);
        assertThat(Movement.between(before, after).replicasMoved())
            .as("%s -> %s stores", n, n - 1)
            .isLessThanOrEqualTo((int) (1.1 * minimum));
      }
      List<Member> without = new ArrayList<>(active(n));
      without.remove(leaverIndex);
      assertThat(Placement.rebalance(before, without, RF).ownedBy(leaver.name())).isZero();
    }
  }

  @Test
  void rebalance_isIdempotent_andDeterministic() {
    for (int n = 1; n <= 20; n++) {
      Ring ring = Placement.rebalance(Ring.empty(Q), active(n), RF);
      assertThat(Placement.rebalance(ring, active(n), RF)).isSameAs(ring);
      Ring again = Placement.rebalance(Ring.empty(Q), active(n), RF);
      for (int p = 0; p < Q; p++) {
        assertThat(again.owners(p)).isEqualTo(ring.owners(p));
      }
    }
  }

  @Test
  void joiningStores_areNotPrimaryWhileAnActiveOwnerExists() {
    Ring three = Placement.rebalance(Ring.empty(Q), active(3), RF);
    List<Member> members = new ArrayList<>(active(3));
    members.add(new Member(name(3), "addr-3", MemberState.JOINING));
    Ring four = Placement.rebalance(three, members, RF);
    assertReplicaInvariants(four, RF);
    assertThat(four.ownedBy(name(3))).isGreaterThan(0);
    for (int p = 0; p < Q; p++) {
      assertThat(four.owners(p).get(0).state()).isEqualTo(MemberState.ACTIVE);
    }
  }

  @Test
  void randomSequencesOfJoinsAndLeaves_keepTheInvariants_andMoveLittle() {
    Random random = new Random(20261124);
    for (int trial = 0; trial < 5; trial++) {
      List<Member> members = new ArrayList<>(active(3));
      Ring ring = Placement.rebalance(Ring.empty(Q), members, RF);
      int next = 3;
      for (int step = 0; step < 30; step++) {
        boolean join = members.size() < 2 || (members.size() < 20 && random.nextBoolean());
        Ring before = ring;
        int minimum;
        if (join) {
          members.add(
              new Member("node-" + (next++) + "-" + random.nextInt(1000), "x", MemberState.ACTIVE));
          ring = Placement.rebalance(ring, members, RF);
          minimum = ring.ownedBy(members.get(members.size() - 1).name());
        } else {
          Member gone = members.remove(random.nextInt(members.size()));
          ring = Placement.rebalance(ring, members, RF);
          int survivorsHad = Q * Math.min(RF, members.size() + 1) - before.ownedBy(gone.name());
          minimum = Math.max(0, Q * Math.min(RF, members.size()) - survivorsHad);
          assertThat(ring.ownedBy(gone.name())).isZero();
        }
        assertReplicaInvariants(ring, RF);
        assertThat(Movement.between(before, ring).replicasMoved())
            .isLessThanOrEqualTo((int) (1.1 * minimum));
        ring = Placement.rebalance(ring, members, RF);
        assertInvariants(ring, RF);
      }
    }
  }

  @Test
  void replicationFactorIsCappedByTheStoreCount_andAllDownMeansNoOwner() {
    Ring one = Placement.rebalance(Ring.empty(Q), active(1), 3);
    assertThat(one.owners(5)).hasSize(1);
    Ring down = Placement.rebalance(one, List.of(new Member(name(0), "a", MemberState.DOWN)), 3);
    assertThat(down.owners(5)).isEmpty();
  }

  /** Replica and primary invariants of a settled ring. */
  static void assertInvariants(Ring ring, int rf) {
    assertReplicaInvariants(ring, rf);
    List<Member> eligible =
        ring.members().stream().filter(m -> Placement.ownsData(m.state())).toList();
    int[] primaries = new int[ring.members().size()];
    for (int p = 0; p < ring.partitions(); p++) {
      primaries[ring.members().indexOf(ring.owners(p).get(0))]++;
    }
    long activeCount = eligible.stream().filter(m -> m.state() == MemberState.ACTIVE).count();
    int maxPrimaries = IntStream.of(primaries).max().orElse(0);
    assertThat(maxPrimaries)
        .as("primaries of the busiest store")
        .isLessThanOrEqualTo((int) Math.ceil((double) ring.partitions() / activeCount) + 1);
  }

  /** Distinct owners, min(RF, eligible) of them, loads floor/ceil, max within 5 % of the mean. */
  static void assertReplicaInvariants(Ring ring, int rf) {
    List<Member> eligible =
        ring.members().stream().filter(m -> Placement.ownsData(m.state())).toList();
    int n = eligible.size();
    int r = Math.min(rf, n);
    for (int p = 0; p < ring.partitions(); p++) {
      List<Member> os = ring.owners(p);
      assertThat(os).hasSize(r);
      Set<String> names = new HashSet<>();
      os.forEach(m -> assertThat(names.add(m.name())).isTrue());
      os.forEach(m -> assertThat(Placement.ownsData(m.state())).isTrue());
    }
    double mean = (double) ring.partitions() * r / n;
    int max = eligible.stream().mapToInt(m -> ring.ownedBy(m.name())).max().orElse(0);
    int min = eligible.stream().mapToInt(m -> ring.ownedBy(m.name())).min().orElse(0);
    assertThat((double) max).as("most loaded of %s stores", n).isLessThanOrEqualTo(1.05 * mean);
    assertThat(max - min).isLessThanOrEqualTo(1);
  }

  static List<Member> active(int n) {
    return IntStream.range(0, n)
        .mapToObj(i -> new Member(name(i), "addr-" + i, MemberState.ACTIVE))
        .toList();
  }

  static String name(int i) {
    return "stored-" + i;
  }
}
