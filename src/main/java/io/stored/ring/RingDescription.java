package io.stored.ring;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A ring as plain maps and lists, for JSON: {@code GET /stored/ring} and the ring ConfigMap. Epoch,
 * partitions, replication factor, members (name, address, state, partitions owned and being
 * received), owners of every partition (primary first) and pending owners of moving ones.
 */
public final class RingDescription {
  private RingDescription() {}

  /**
   * The ring a description (as {@link #of} makes it, read back from JSON) stands for; validated
   * like any ring.
   *
   * @throws IllegalArgumentException when it is not a valid ring description
   */
  @SuppressWarnings("unchecked")
  public static Ring parse(Map<String, Object> d) {
    try {
      long epoch = ((Number) d.get("epoch")).longValue();
      int partitions = ((Number) d.get("partitions")).intValue();
      int rf = ((Number) d.get("replicationFactor")).intValue();
      List<Member> members = new ArrayList<>();
      Map<String, Integer> index = new java.util.HashMap<>();
      for (Map<String, Object> m : (List<Map<String, Object>>) d.get("members")) {
        String name = (String) m.get("name");
        index.put(name, members.size());
        members.add(
            new Member(
                name,
                (String) m.get("address"),
                MemberState.valueOf(((String) m.get("state")).toUpperCase())));
      }
      List<List<String>> owners = (List<List<String>>) d.get("owners");
      Map<String, List<String>> pending = (Map<String, List<String>>) d.get("pending");
      int[][] o = new int[partitions][];
      int[][] pe = new int[partitions][];
      for (int p = 0; p < partitions; p++) {
        o[p] = owners.get(p).stream().mapToInt(index::get).toArray();
        List<String> incoming = pending == null ? null : pending.get(Integer.toString(p));
        pe[p] = incoming == null ? new int[0] : incoming.stream().mapToInt(index::get).toArray();
      }
      return Ring.create(epoch, members, partitions, rf, o, pe);
    } catch (ClassCastException | NullPointerException | IndexOutOfBoundsException e) {
      throw new IllegalArgumentException("not a ring description: " + e, e);
    }
  }

  public static Map<String, Object> of(Ring ring) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("epoch", ring.epoch());
    body.put("partitions", ring.partitions());
    body.put("replicationFactor", ring.replicationFactor());
    List<Map<String, Object>> members = new ArrayList<>();
    for (Member m : ring.members()) {
      Map<String, Object> mm = new LinkedHashMap<>();
      mm.put("name", m.name());
      mm.put("address", m.address());
      mm.put("state", m.state().name().toLowerCase());
      mm.put("partitions", ring.ownedBy(m.name()));
      int receiving = 0;
      for (int p = 0; p < ring.partitions(); p++) {
        receiving += ring.isPending(p, m.name()) ? 1 : 0;
      }
      mm.put("receiving", receiving);
      members.add(mm);
    }
    body.put("members", members);
    List<List<String>> owners = new ArrayList<>(ring.partitions());
    Map<Integer, List<String>> pending = new TreeMap<>();
    for (int p = 0; p < ring.partitions(); p++) {
      owners.add(ring.owners(p).stream().map(Member::name).toList());
      if (!ring.pending(p).isEmpty()) {
        pending.put(p, ring.pending(p).stream().map(Member::name).toList());
      }
    }
    body.put("owners", owners);
    body.put("pending", pending);
    return body;
  }
}
