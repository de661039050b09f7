package io.stored.node;

import io.stored.ring.Ring;
import io.stored.router.Router;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Produces the router with this process's initial ring. A process with the store role and no
 * cluster configured is the single-process Stored: it is the only member and owns every partition.
 * In a cluster, or without the store role, a process starts with an empty ring: the monkey's push
 * (stores) or the stores (endpoints) give it the real one.
 */
public class Topology {
  /** Address of the single in-process member: reached by method call, not over the network. */
  public static final String IN_PROCESS = "in-process";

  @Produces
  @Singleton
  Router router(NodeConfig node, RingConfig ring, ClusterConfig cluster) {
    if (node.roles().contains(Role.STORE) && !cluster.clustered()) {
      return new Router(Ring.single(node.memberName(), IN_PROCESS, ring.partitions()));
    }
    return new Router(Ring.empty(ring.partitions()));
  }
}
