package io.stored.ring;

import static io.stored.common.Checks.requireArgument;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Computes the owners of every partition for a set of members: balanced, with as little movement
 * from the previous ring as the balance allows.
 *
 * <p>Guarantees, for the members that may own data (ACTIVE and JOINING; LEAVING and DOWN members
 * own nothing afterwards): every partition has {@code min(RF, eligible)} distinct owners; every
 * member owns {@code floor} or {@code ceil} of {@code Q * RF / N} replicas; a JOINING member is
 * never primary while an ACTIVE member owns the partition; a member that did not own a partition in
 * the previous ring (it is still empty) is not made its primary; the result is a pure function of
 * the previous ring and the member list. Rebalancing with the same members is idempotent once
 * settled: right after owners were added, the next rebalance may move primaries to them (reordering
 * only, no data moves), and then nothing.
 */
/*
 * Implementation notes
 *
 * Plain rendezvous hashing (highest random weight, [1]) moves the minimum but balances
 * poorly at Q = 1024: the most loaded of 20 stores owns ~15 % more than the mean. Like
 * Infinispan's RendezvousConsistentHashFactory followed by its SegmentOwnershipBalancer [2],
 * this class keeps what the previous ring had and only corrects counts:
 *
 * 1. Keep. Each partition keeps its previous owners that are still eligible, in order (a
 *    backup of a departed primary becomes primary: a promotion, not a data move), then its
 *    pending owners (already receiving it), cut to the new replication count.
 * 2. Targets. The Q * r replicas are split into N targets of floor or ceil; the members that
 *    already hold the most get the ceil ones, so no replica moves just for rounding.
 * 3. Shed. A member above its target drops replicas, backups before primaries, lowest
 *    rendezvous score first. Adding one store of N therefore moves exactly the new store's
 *    share, the minimum.
 * 4. Fill. Each missing replica goes to the member with the highest rendezvous score for
 *    that partition among those below target that do not own it yet.
 * 5. Repair. If step 4 found no such member (they all owned the partition already), the
 *    replica went to the least loaded non-owner, and here a member x above target hands one
 *    of its partitions to a member y below it. Such a partition always exists: x owns more
 *    partitions than y, so at least two that y does not. Each step lowers the total
 *    deviation, so this ends.
 * 6. Primaries. Order within a partition's owners decides the primary and moves no data;
 *    an ACTIVE owner is put first when the primary is JOINING, then primaries are evened
 *    out by swapping a partition's primary with one of its backups. Only an owner that
 *    already holds the partition (kept in step 1) may become primary: one added in step 4
 *    or 5 is empty until state transfer fills it.
 *
 * [1] Thaler and Ravishankar, "Using name-based mappings to increase hit rates", 1998.
 * [2] Infinispan core, org.infinispan.distribution.ch.impl.
 */
public final class Placement {
  private Placement() {}

  /**
   * The ring for {@code members} with replication factor {@code replicationFactor}, built from
   * {@code previous} (same partition count). Returns {@code previous} itself when nothing changes,
   * else a ring with the next epoch.
   */
  public static Ring rebalance(Ring previous, List<Member> members, int replicationFactor) {
    requireArgument(
        replicationFactor >= 1, "replicationFactor must be at least 1, was %s", replicationFactor);
    int q = previous.partitions();
    List<Member> all = List.copyOf(members);
    Map<String, Integer> indexOf = new HashMap<>();
    for (int i = 0; i < all.size(); i++) {
      requireArgument(
          indexOf.put(all.get(i).name(), i) == null,
          "member %s is listed twice",
          all.get(i).name());
    }
    int[] eligible =
        java.util.stream.IntStream.range(0, all.size())
            .filter(i -> ownsData(all.get(i).state()))
            .toArray();
    int n = eligible.length;
    int r = Math.min(replicationFactor, n);

    List<List<Integer>> owners = keep(previous, indexOf, all, r);
    // Owners that hold the data already (owners in the previous ring, not pending ones), or
    // every owner of a partition that had none: only these may be primary, since a new owner
    // is still empty.
    List<java.util.Set<Integer>> holders = new ArrayList<>(q);
    for (int p = 0; p < q; p++) {
      java.util.Set<Integer> had = new java.util.HashSet<>(owners.get(p));
      for (Member m : previous.pending(p)) {
        had.remove(indexOf.get(m.name()));
      }
      holders.add(previous.owners(p).isEmpty() ? null : had);
    }
    if (n > 0) {
      int[] load = loads(owners, all.size());
      int[] target = targets(load, eligible, q * r, all);
      shed(owners, load, target, all);
      fill(owners, load, target, eligible, r, all);
      repair(owners, load, target, eligible, all);
      orderPrimaries(owners, holders, eligible, all);
    }
    int[][] rows = new int[q][];
    for (int p = 0; p < q; p++) {
      rows[p] = owners.get(p).stream().mapToInt(Integer::intValue).toArray();
    }
    if (sameAs(previous, all, replicationFactor, rows)) {
      return previous;
    }
    return Ring.create(previous.epoch() + 1, all, q, replicationFactor, rows);
  }

  /** Whether a member in this state may own partitions after rebalancing. */
  public static boolean ownsData(MemberState state) {
    return state == MemberState.ACTIVE || state == MemberState.JOINING;
  }

  private static List<List<Integer>> keep(
      Ring previous, Map<String, Integer> indexOf, List<Member> all, int r) {
    List<List<Integer>> owners = new ArrayList<>(previous.partitions());
    for (int p = 0; p < previous.partitions(); p++) {
      List<Integer> row = new ArrayList<>(r);
      List<Member> had = new ArrayList<>(previous.owners(p));
      had.addAll(previous.pending(p));
      for (Member m : had) {
        Integer i = indexOf.get(m.name());
        if (i != null && ownsData(all.get(i).state()) && row.size() < r) {
          row.add(i);
        }
      }
      owners.add(row);
    }
    return owners;
  }

  private static int[] loads(List<List<Integer>> owners, int members) {
    int[] load = new int[members];
    for (List<Integer> row : owners) {
      for (int m : row) {
        load[m]++;
      }
    }
    return load;
  }

  private static int[] targets(int[] load, int[] eligible, int total, List<Member> all) {
    int n = eligible.length;
    int base = total / n;
    int extra = total % n;
    Integer[] order = Arrays.stream(eligible).boxed().toArray(Integer[]::new);
    Arrays.sort(
        order,
        Comparator.<Integer>comparingInt(m -> -load[m])
            .thenComparingLong(m -> nameHash(all.get(m).name())));
    int[] target = new int[load.length];
    for (int k = 0; k < n; k++) {
      target[order[k]] = base + (k < extra ? 1 : 0);
    }
    return target;
  }

  private static void shed(List<List<Integer>> owners, int[] load, int[] target, List<Member> all) {
    for (int m = 0; m < load.length; m++) {
      if (load[m] <= target[m]) {
        continue;
      }
      final int member = m;
      long seed = nameHash(all.get(m).name());
      List<Integer> mine = new ArrayList<>();
      for (int p = 0; p < owners.size(); p++) {
        if (owners.get(p).contains(m)) {
          mine.add(p);
        }
      }
      mine.sort(
          Comparator.<Integer>comparingInt(p -> owners.get(p).get(0) == member ? 1 : 0)
              .thenComparingLong(p -> score(seed, p)));
      for (int k = 0; k < mine.size() && load[m] > target[m]; k++) {
        owners.get(mine.get(k)).remove(Integer.valueOf(m));
        load[m]--;
      }
    }
  }

  private static void fill(
      List<List<Integer>> owners,
      int[] load,
      int[] target,
      int[] eligible,
      int r,
      List<Member> all) {
    long[] seeds = new long[all.size()];
    for (int m : eligible) {
      seeds[m] = nameHash(all.get(m).name());
    }
    for (int p = 0; p < owners.size(); p++) {
      List<Integer> row = owners.get(p);
      while (row.size() < r) {
        int best = -1;
        long bestScore = 0;
        for (int m : eligible) {
          if (load[m] < target[m] && !row.contains(m)) {
            long s = score(seeds[m], p);
            if (best < 0 || Long.compareUnsigned(s, bestScore) > 0) {
              best = m;
              bestScore = s;
            }
          }
        }
        if (best < 0) {
          for (int m : eligible) {
            if (!row.contains(m) && (best < 0 || load[m] < load[best])) {
              best = m;
            }
          }
        }
        row.add(best);
        load[best]++;
      }
    }
  }

  private static void repair(
      List<List<Integer>> owners, int[] load, int[] target, int[] eligible, List<Member> all) {
    while (true) {
      int under = -1;
      int over = -1;
      for (int m : eligible) {
        if (under < 0 && load[m] < target[m]) {
          under = m;
        }
        if (over < 0 && load[m] > target[m]) {
          over = m;
        }
      }
      if (under < 0 || over < 0) {
        return;
      }
      int chosen = -1;
      for (int p = 0; p < owners.size(); p++) {
        List<Integer> row = owners.get(p);
        if (row.contains(over) && !row.contains(under)) {
          chosen = p;
          if (row.get(0) != over) {
            break;
          }
        }
      }
      List<Integer> row = owners.get(chosen);
      row.set(row.indexOf(over), under);
      load[over]--;
      load[under]++;
    }
  }

  private static void orderPrimaries(
      List<List<Integer>> owners,
      List<java.util.Set<Integer>> holders,
      int[] eligible,
      List<Member> all) {
    for (int p = 0; p < owners.size(); p++) {
      List<Integer> row = owners.get(p);
      if (!row.isEmpty() && all.get(row.get(0)).state() != MemberState.ACTIVE) {
        for (int k = 1; k < row.size(); k++) {
          if (all.get(row.get(k)).state() == MemberState.ACTIVE
              && mayLead(holders.get(p), row.get(k))) {
            row.add(0, row.remove(k));
            break;
          }
        }
      }
    }
    int active =
        (int) Arrays.stream(eligible).filter(m -> all.get(m).state() == MemberState.ACTIVE).count();
    if (active == 0) {
      return;
    }
    int q = owners.size();
    int ceil = (q + active - 1) / active;
    int floor = q / active;
    int[] primaries = new int[all.size()];
    for (List<Integer> row : owners) {
      if (!row.isEmpty()) {
        primaries[row.get(0)]++;
      }
    }
    // Swap a partition's primary with an ACTIVE backup when one of them is outside its
    // share (floor..ceil) and the swap narrows the gap between them; the sum of squared
    // primary counts falls with every swap, so this ends.
    boolean changed = true;
    while (changed) {
      changed = false;
      for (int p = 0; p < owners.size(); p++) {
        List<Integer> row = owners.get(p);
        if (row.size() < 2) {
          continue;
        }
        int primary = row.get(0);
        for (int k = 1; k < row.size(); k++) {
          int b = row.get(k);
          if (all.get(b).state() == MemberState.ACTIVE
              && mayLead(holders.get(p), b)
              && primaries[b] + 1 < primaries[primary]
              && (primaries[primary] > ceil || primaries[b] < floor)) {
            row.set(k, primary);
            row.set(0, b);
            primaries[primary]--;
            primaries[b]++;
            changed = true;
            break;
          }
        }
      }
    }
  }

  private static boolean mayLead(java.util.Set<Integer> holders, int member) {
    return holders == null || holders.contains(member);
  }

  private static boolean sameAs(Ring previous, List<Member> members, int rf, int[][] rows) {
    if (!previous.members().equals(members)
        || previous.replicationFactor() != rf
        || previous.moving()) {
      return false;
    }
    for (int p = 0; p < rows.length; p++) {
      List<Member> os = previous.owners(p);
      if (os.size() != rows[p].length) {
        return false;
      }
      for (int k = 0; k < rows[p].length; k++) {
        if (!os.get(k).name().equals(members.get(rows[p][k]).name())) {
          return false;
        }
      }
    }
    return true;
  }

  private static long nameHash(String name) {
    byte[] b = name.getBytes(StandardCharsets.UTF_8);
    return PartitionHash.hash64(b, 0, b.length);
  }

  /** The rendezvous weight of a member (by its name hash) for a partition: splitmix64. */
  static long score(long memberSeed, int partition) {
    long z = memberSeed + (partition + 1) * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
