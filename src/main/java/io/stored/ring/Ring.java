package io.stored.ring;

import static io.stored.common.Checks.requireArgument;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The versioned placement of partitions on stores: epoch, members, Q partitions, replication
 * factor, and for every partition its ordered owners (the first is the primary).
 *
 * <p>While partitions move, a partition also has <em>pending</em> owners: stores receiving it by
 * state transfer. They receive every write (so they miss nothing while they copy the snapshot) but
 * serve no reads and never lead; the monkey turns them into owners once they report the partition
 * in sync, and only then drops the owners they replace.
 *
 * <p>Immutable and validated on construction: every owner is a member, no partition lists a member
 * twice (across owners and pending), no partition has more pending owners than {@code
 * replicationFactor}, nor more owners than twice that (during a move, the outgoing owners stay
 * until their replacements are in sync). A partition with no owner has no reachable primary (its
 * requests are answered 503). A higher epoch supersedes a lower one.
 */
public final class Ring {
  private final long epoch;
  private final List<Member> members;
  private final int partitions;
  private final int replicationFactor;
  private final List<List<Member>> owners;
  private final List<List<Member>> pending;
  private final boolean moving;

  private Ring(
      long epoch,
      List<Member> members,
      int partitions,
      int replicationFactor,
      List<List<Member>> owners,
      List<List<Member>> pending) {
    this.epoch = epoch;
    this.members = members;
    this.partitions = partitions;
    this.replicationFactor = replicationFactor;
    this.owners = owners;
    this.pending = pending;
    this.moving = pending.stream().anyMatch(l -> !l.isEmpty());
  }

  /**
   * Creates a ring with no pending owners after checking its invariants.
   *
   * @param owners for each partition, indexes into {@code members}, primary first
   */
  public static Ring create(
      long epoch, List<Member> members, int partitions, int replicationFactor, int[][] owners) {
    return create(epoch, members, partitions, replicationFactor, owners, new int[partitions][0]);
  }

  /**
   * Creates a ring after checking its invariants.
   *
   * @param owners for each partition, indexes into {@code members}, primary first
   * @param pending for each partition, indexes of the members receiving it by state transfer
   */
  public static Ring create(
      long epoch,
      List<Member> members,
      int partitions,
      int replicationFactor,
      int[][] owners,
      int[][] pending) {
    requireArgument(epoch >= 0, "epoch must not be negative, was %s", epoch);
    requireArgument(partitions >= 1, "partitions must be at least 1, was %s", partitions);
    requireArgument(
        replicationFactor >= 1, "replicationFactor must be at least 1, was %s", replicationFactor);
    requireArgument(
        owners.length == partitions, "owners has %s rows, expected %s", owners.length, partitions);
    requireArgument(
        pending.length == partitions,
        "pending has %s rows, expected %s",
        pending.length,
        partitions);
    List<Member> ms = List.copyOf(members);
    Set<String> names = new HashSet<>();
    for (Member m : ms) {
      requireArgument(names.add(m.name()), "member %s is listed twice", m.name());
    }
    List<List<Member>> os = new ArrayList<>(partitions);
    List<List<Member>> ps = new ArrayList<>(partitions);
    for (int p = 0; p < partitions; p++) {
      int[] row = owners[p];
      int[] incoming = pending[p];
      requireArgument(
          row.length <= 2 * replicationFactor && incoming.length <= replicationFactor,
          "partition %s has %s owners and %s pending, more than the replication factor %s allows",
          p,
          row.length,
          incoming.length,
          replicationFactor);
      requireArgument(
          java.util.stream.IntStream.concat(Arrays.stream(row), Arrays.stream(incoming))
                  .distinct()
                  .count()
              == row.length + incoming.length,
          "partition %s lists a member twice",
          p);
      os.add(members(ms, p, row));
      ps.add(members(ms, p, incoming));
    }
    return new Ring(epoch, ms, partitions, replicationFactor, List.copyOf(os), List.copyOf(ps));
  }

  private static List<Member> members(List<Member> ms, int p, int[] indexes) {
    List<Member> list = new ArrayList<>(indexes.length);
    for (int i : indexes) {
      requireArgument(i >= 0 && i < ms.size(), "partition %s: index %s is not a member", p, i);
      list.add(ms.get(i));
    }
    return List.copyOf(list);
  }

  /** A ring with no members: every partition is unowned (an endpoint that knows no store yet). */
  public static Ring empty(int partitions) {
    return create(0, List.of(), partitions, 1, new int[partitions][0]);
  }

  /** The single-process ring: one active member owns every partition. */
  public static Ring single(String name, String address, int partitions) {
    int[][] owners = new int[partitions][];
    Arrays.setAll(owners, p -> new int[] {0});
    return create(1, List.of(new Member(name, address, MemberState.ACTIVE)), partitions, 1, owners);
  }

  public long epoch() {
    return epoch;
  }

  public List<Member> members() {
    return members;
  }

  public int partitions() {
    return partitions;
  }

  public int replicationFactor() {
    return replicationFactor;
  }

  /** Owners of partition {@code p}, primary first; empty when the ring has no members. */
  public List<Member> owners(int p) {
    return owners.get(p);
  }

  /** Members receiving partition {@code p} by state transfer; empty when it is not moving. */
  public List<Member> pending(int p) {
    return pending.get(p);
  }

  /** Whether any partition has pending owners (state transfer is under way). */
  public boolean moving() {
    return moving;
  }

  /** The member called {@code name}, or null. */
  public Member member(String name) {
    for (Member m : members) {
      if (m.name().equals(name)) {
        return m;
      }
    }
    return null;
  }

  /** Whether {@code member} is an owner of partition {@code p}. */
  public boolean isOwner(int p, String member) {
    return contains(owners.get(p), member);
  }

  /** Whether {@code member} is a pending owner of partition {@code p}. */
  public boolean isPending(int p, String member) {
    return contains(pending.get(p), member);
  }

  /** Whether {@code member} is the primary of partition {@code p}. */
  public boolean isPrimary(int p, String member) {
    List<Member> os = owners.get(p);
    return !os.isEmpty() && os.get(0).name().equals(member);
  }

  private static boolean contains(List<Member> list, String member) {
    for (Member m : list) {
      if (m.name().equals(member)) {
        return true;
      }
    }
    return false;
  }

  /** Number of partitions {@code member} owns (as primary or backup). */
  public int ownedBy(String member) {
    int n = 0;
    for (List<Member> os : owners) {
      for (Member m : os) {
        if (m.name().equals(member)) {
          n++;
        }
      }
    }
    return n;
  }

  @Override
  public String toString() {
    return "Ring{epoch="
        + epoch
        + ", members="
        + members
        + ", partitions="
        + partitions
        + ", replicationFactor="
        + replicationFactor
        + (moving ? ", moving" : "")
        + "}";
  }
}
