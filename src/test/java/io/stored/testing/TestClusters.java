package io.stored.testing;

import io.stored.engine.EngineSettings;
import io.stored.engine.Eviction;
import io.stored.engine.StoreEngine;
import io.stored.replication.Message;
import io.stored.replication.Peers;
import io.stored.replication.ReplicaNode;
import io.stored.replication.Reply;
import io.stored.ring.Member;
import io.stored.ring.MemberState;
import io.stored.ring.Placement;
import io.stored.ring.Ring;
import io.stored.router.Router;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Several stores in one JVM, connected by an in-memory transport that can lose a node: the
 * replication protocol without sockets, in milliseconds.
 */
public final class TestClusters {
  private final int partitions;
  private final int replicationFactor;
  private final Map<String, ReplicaNode> nodes = new LinkedHashMap<>();
  private final Set<String> unreachable = ConcurrentHashMap.newKeySet();
  private final List<Member> members = new ArrayList<>();
  private Ring ring;

  public TestClusters(int partitions, int replicationFactor) {
    this.partitions = partitions;
    this.replicationFactor = replicationFactor;
    this.ring = Ring.empty(partitions);
  }

  /** Starts a store with an empty engine, not yet in the ring. */
  public ReplicaNode start(String name) {
    Peers peers = (to, message) -> deliver(to, message);
    ReplicaNode node =
        new ReplicaNode(
            name,
            new StoreEngine(
                new EngineSettings(partitions, 1L << 30, Eviction.NONE),
                io.stored.engine.Ticker.system()),
            new Router(ring),
            peers);
    nodes.put(name, node);
    return node;
  }

  private CompletableFuture<Reply> deliver(String to, Message message) {
    ReplicaNode target = nodes.get(to);
    if (target == null || unreachable.contains(to)) {
      return CompletableFuture.failedFuture(new ConnectException(to + " is unreachable"));
    }
    return CompletableFuture.completedFuture(target.handle(message));
  }

  /**
   * Sets a member's state (adding it if new), rebalances, and publishes the ring to every reachable
   * node.
   */
  public Ring set(String name, MemberState state) {
    members.removeIf(m -> m.name().equals(name));
    members.add(new Member(name, "mem://" + name, state));
    return rebalance();
  }

  private Ring rebalance() {
    ring = Placement.rebalance(ring, members, replicationFactor);
    for (ReplicaNode n : nodes.values()) {
      if (!unreachable.contains(n.name())) {
        n.router().update(ring);
      }
    }
    return ring;
  }

  /** The node stops answering (a crash, a pause, a partition); it keeps its ring and memory. */
  public void cut(String name) {
    unreachable.add(name);
  }

  /** The node answers again, still with whatever ring it had. */
  public void heal(String name) {
    unreachable.remove(name);
  }

  public ReplicaNode node(String name) {
    return nodes.get(name);
  }

  public Ring ring() {
    return ring;
  }

  /** The node that is primary of {@code partition} in the current ring. */
  public ReplicaNode primaryOf(int partition) {
    return nodes.get(ring.owners(partition).get(0).name());
  }
}
