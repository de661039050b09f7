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
