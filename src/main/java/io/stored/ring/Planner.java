package io.stored.ring;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The StoreMonkey's brain: from the current ring and what is known about each store, the next ring.
 * Plain Java and deterministic, so the static-member monkey and the Kubernetes operator share it
 * and it is tested without either.
 *
 * <p>Rules, in the order they apply:
 *
 * <ol>
 *   <li>A store that stops answering is DOWN: it leaves every partition at once (its backups lead
 *       in the new epoch). A store that comes back from DOWN, or restarted with empty memory, JOINs
 *       again: whatever it held is considered lost and it is re-filled like a new store.
 *   <li>A pending owner that reported the partition in sync for the current epoch becomes an owner.
 *   <li>{@link Placement} computes where partitions should be; an owner the target lacks becomes
 *       pending (it receives writes and pulls the snapshot). Until every pending owner of a
 *       partition is in sync, the partition keeps all its current owners (including one that is
 *       leaving or that placement moved away), so at no point does a partition have fewer copies
 *       than before the move began. Then it takes the target's owners in the target's order.
 *   <li>A JOINING store with nothing pending is ACTIVE. A LEAVING store that owns nothing is
 *       dropped from the ring: only then may it be stopped.
 * </ol>
 */
public final class Planner {
  private Planner() {}

  /**
   * What the monkey knows about one store it wants in (or out of) the cluster.
   *
   * @param name the store's stable name
   * @param address where its internal transport listens
   * @param alive whether it answered recently
   * @param fresh whether it restarted since it last received a ring (its memory is empty)
   * @param leave whether it is to leave the cluster
   * @param synced partitions it reported in sync as a pending owner, for the current epoch
   */
  public record Candidate(
      String name,
      String address,
      boolean alive,
      boolean fresh,
      boolean leave,
      Set<Integer> synced) {
    public Candidate {
      synced = Set.copyOf(synced);
    }

    public static Candidate alive(String name, String address) {
      return new Candidate(name, address, true, false, false, Set.of());
    }
  }

  /**
   * The next ring; {@code current} itself when nothing changes. Stores in {@code current} that are
   * not candidates are treated as leaving.
   */
  public static Ring plan(Ring current, List<Candidate> candidates, int replicationFactor) {
    Map<String, Candidate> byName = new HashMap<>();
    for (Candidate c : candidates) {
      if (byName.put(c.name(), c) != null) {
        throw new IllegalArgumentException("store " + c.name() + " is listed twice");
      }
    }
    // 1. Member states. Order: members of the current ring first, then newcomers.
    Map<String, Member> next = new java.util.LinkedHashMap<>();
    Set<String> lostData = new java.util.HashSet<>();
    for (Member m : current.members()) {
      Candidate c = byName.get(m.name());
      boolean leave = c == null || c.leave();
      String address = c == null ? m.address() : c.address();
      MemberState state;
      if (c == null || !c.alive()) {
        state = MemberState.DOWN;
        lostData.add(m.name());
      } else if (m.state() == MemberState.DOWN || c.fresh()) {
        state = leave ? MemberState.DOWN : MemberState.JOINING;
        lostData.add(m.name());
      } else if (leave) {
        state = MemberState.LEAVING;
      } else {
        state = m.state() == MemberState.LEAVING ? MemberState.ACTIVE : m.state();
      }
      next.put(m.name(), new Member(m.name(), address, state));
    }
    for (Candidate c : candidates) {
      if (!next.containsKey(c.name()) && c.alive() && !c.leave()) {
        next.put(c.name(), new Member(c.name(), c.address(), MemberState.JOINING));
      }
    }
    List<Member> members = new ArrayList<>(next.values());

    // 2. Who holds each partition's data now: live owners; pending owners count once every
    //    pending owner of the partition is in sync (a partition's move completes at once).
    int q = current.partitions();
    List<List<String>> holders = new ArrayList<>(q);
    List<List<String>> receiving = new ArrayList<>(q);
    List<List<String>> placed = new ArrayList<>(q);
    for (int p = 0; p < q; p++) {
      List<String> h = new ArrayList<>();
      List<String> r = new ArrayList<>();
      for (Member m : current.owners(p)) {
        if (!lostData.contains(m.name())) {
          h.add(m.name());
        }
      }
      boolean allSynced = true;
      for (Member m : current.pending(p)) {
        if (!lostData.contains(m.name())) {
          r.add(m.name());
          Candidate c = byName.get(m.name());
          allSynced &= c != null && c.synced().contains(p);
        }
      }
      // Placement sees what the partition will hold once its move ends: the members that
      // received it first (placement chose them), then the current owners.
      List<String> place = new ArrayList<>(r);
      h.forEach(
          x -> {
            if (!place.contains(x)) {
              place.add(x);
            }
          });
      if (allSynced || h.isEmpty()) {
        h.addAll(r);
        r = new ArrayList<>();
      }
      holders.add(h);
      receiving.add(r);
      placed.add(place.subList(0, Math.min(place.size(), replicationFactor)));
    }

    // 3. Where partitions should be.
    Ring held = ring(current.epoch(), members, q, replicationFactor, placed, none(q));
    Ring target = Placement.rebalance(held, members, replicationFactor);
    List<List<String>> owners = new ArrayList<>(q);
    List<List<String>> pending = new ArrayList<>(q);
    for (int p = 0; p < q; p++) {
      List<String> want = names(target.owners(p));
      List<String> have = holders.get(p);
      List<String> missing = new ArrayList<>(want);
      missing.removeAll(have);
      if (!receiving.get(p).isEmpty()) {
        // Still moving: keep its owners and its pending owners as they are.
        owners.add(boundOwners(have, want, 2 * replicationFactor));
        pending.add(receiving.get(p));
      } else if (have.isEmpty() || missing.isEmpty()) {
        // Nothing to copy (every target owner holds the data, or nobody does).
        owners.add(want);
        pending.add(List.of());
      } else {
        owners.add(boundOwners(have, want, 2 * replicationFactor));
        pending.add(missing);
      }
    }

    // 4. Joiners with nothing pending are active; leavers that hold nothing are gone.
    Set<String> busy = new java.util.HashSet<>();
    for (int p = 0; p < q; p++) {
      busy.addAll(owners.get(p));
      busy.addAll(pending.get(p));
    }
    Set<String> stillPending = new java.util.HashSet<>();
    pending.forEach(stillPending::addAll);
    List<Member> settled = new ArrayList<>();
    for (Member m : members) {
      if ((m.state() == MemberState.LEAVING
              || (m.state() == MemberState.DOWN && leaving(m, byName)))
          && !busy.contains(m.name())) {
        continue;
      }
      if (m.state() == MemberState.JOINING && !stillPending.contains(m.name())) {
        m = new Member(m.name(), m.address(), MemberState.ACTIVE);
      }
      settled.add(m);
    }
    Ring candidate = ring(current.epoch() + 1, settled, q, replicationFactor, owners, pending);
    return same(current, candidate) ? current : candidate;
  }

  /**
   * The owners a moving partition keeps: all holders, but at most {@code max}; beyond that the
   * current primary, then target owners, are kept first.
   */
  private static List<String> boundOwners(List<String> have, List<String> want, int max) {
    if (have.size() <= max) {
      return have;
    }
    List<String> out = new ArrayList<>(max);
    out.add(have.get(0));
    for (String h : have) {
      if (out.size() < max && want.contains(h) && !out.contains(h)) {
        out.add(h);
      }
    }
    for (String h : have) {
      if (out.size() < max && !out.contains(h)) {
        out.add(h);
      }
    }
    return out;
  }

  private static boolean leaving(Member m, Map<String, Candidate> byName) {
    Candidate c = byName.get(m.name());
    return c == null || c.leave();
  }

  private static List<String> names(List<Member> ms) {
    List<String> out = new ArrayList<>(ms.size());
    ms.forEach(m -> out.add(m.name()));
    return out;
  }

  private static List<List<String>> none(int q) {
    List<List<String>> out = new ArrayList<>(q);
    for (int p = 0; p < q; p++) {
      out.add(List.of());
    }
    return out;
  }

  /** Builds a ring from member names. */
  private static Ring ring(
      long epoch,
      List<Member> members,
      int q,
      int rf,
      List<List<String>> owners,
      List<List<String>> pending) {
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < members.size(); i++) {
      index.put(members.get(i).name(), i);
    }
    int[][] o = new int[q][];
    int[][] pe = new int[q][];
    for (int p = 0; p < q; p++) {
      o[p] = owners.get(p).stream().mapToInt(index::get).toArray();
      pe[p] = pending.get(p).stream().mapToInt(index::get).toArray();
    }
    return Ring.create(epoch, members, q, rf, o, pe);
  }

  private static boolean same(Ring a, Ring b) {
    if (!a.members().equals(b.members()) || a.replicationFactor() != b.replicationFactor()) {
      return false;
    }
    for (int p = 0; p < a.partitions(); p++) {
      if (!names(a.owners(p)).equals(names(b.owners(p)))
          || !names(a.pending(p)).equals(names(b.pending(p)))) {
        return false;
      }
    }
    return true;
  }
}
