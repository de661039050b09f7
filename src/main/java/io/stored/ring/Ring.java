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
 * <p>Immutable and validated on construction: every owner is a member, no partition lists a member
 * twice, and no partition has more than {@code replicationFactor} owners. A partition with no owner
 * has no reachable primary (its requests are answered 503). A higher epoch supersedes a lower one.
 */
public final class Ring {
  private final long epoch;
  private final List<Member> members;
  private final int partitions;
  private final int replicationFactor;
  private final List<List<Member>> owners;

  private Ring(
      long epoch,
      List<Member> members,
      int partitions,
      int replicationFactor,
      List<List<Member>> owners) {
    this.epoch = epoch;
    this.members = members;
    this.partitions = partitions;
    this.replicationFactor = replicationFactor;
    this.owners = owners;
  }

  /**
   * Creates a ring after checking its invariants.
   *
   * @param owners for each partition, indexes into {@code members}, primary first
   */
  public static Ring create(
      long epoch, List<Member> members, int partitions, int replicationFactor, int[][] owners) {
    requireArgument(epoch >= 0, "epoch must not be negative, was %s", epoch);
    requireArgument(partitions >= 1, "partitions must be at least 1, was %s", partitions);
    requireArgument(
        replicationFactor >= 1, "replicationFactor must be at least 1, was %s", replicationFactor);
    requireArgument(
        owners.length == partitions, "owners has %s rows, expected %s", owners.length, partitions);
    List<Member> ms = List.copyOf(members);
    Set<String> names = new HashSet<>();
    for (Member m : ms) {
      requireArgument(names.add(m.name()), "member %s is listed twice", m.name());
    }
    List<List<Member>> os = new ArrayList<>(partitions);
    for (int p = 0; p < partitions; p++) {
      int[] row = owners[p];
      requireArgument(
          row.length <= replicationFactor,
          "partition %s has %s owners, more than the replication factor %s",
          p,
          row.length,
          replicationFactor);
      requireArgument(
          Arrays.stream(row).distinct().count() == row.length,
          "partition %s lists an owner twice",
          p);
      List<Member> list = new ArrayList<>(row.length);
      for (int i : row) {
        requireArgument(
            i >= 0 && i < ms.size(), "partition %s: owner index %s is not a member", p, i);
        list.add(ms.get(i));
      }
      os.add(List.copyOf(list));
    }
    return new Ring(epoch, ms, partitions, replicationFactor, List.copyOf(os));
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
        + "}";
  }
}
