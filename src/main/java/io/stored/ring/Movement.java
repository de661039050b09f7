package io.stored.ring;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What changes between two rings of the same partition count: partition replicas that a member must
 * newly receive (state transfer) and partitions whose primary changed.
 *
 * @param replicasMoved replicas owned in {@code after} by a member that did not own them in {@code
 *     before}
 * @param primariesChanged partitions whose primary differs
 */
public record Movement(int replicasMoved, int primariesChanged) {

  public static Movement between(Ring before, Ring after) {
    int moved = 0;
    int primaries = 0;
    for (int p = 0; p < after.partitions(); p++) {
      Set<String> had = new HashSet<>();
      for (Member m : before.owners(p)) {
        had.add(m.name());
      }
      List<Member> now = after.owners(p);
      for (Member m : now) {
        if (!had.contains(m.name())) {
          moved++;
        }
      }
      String was = before.owners(p).isEmpty() ? null : before.owners(p).get(0).name();
      String is = now.isEmpty() ? null : now.get(0).name();
      if (was == null ? is != null : !was.equals(is)) {
        primaries++;
      }
    }
    return new Movement(moved, primaries);
  }
}
