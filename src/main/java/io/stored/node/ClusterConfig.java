package io.stored.node;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.stored.transport.ClusterKey;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The cluster this process belongs to. With no members configured, Stored runs as a single process
 * (its own store owns every partition and nothing listens for other nodes).
 */
@ConfigMapping(prefix = "stored.cluster")
public interface ClusterConfig {
  /**
   * The stores, comma separated, as {@code name=host:port} (the port of their internal transport).
   * Endpoints ask them for the ring; the monkey manages them. Stores may also be added and removed
   * at run time through the monkey's {@code /stored/members} API.
   */
  Optional<List<String>> members();

  /** Interface the internal transport of a store listens on. */
  @WithDefault("0.0.0.0")
  String host();

  /** Port of the internal transport of a store (cluster mode only). */
  @WithDefault("7000")
  int port();

  /**
   * How long an endpoint retries a request while its partition has no reachable primary (failover,
   * a ring change) before answering 503.
   */
  @WithDefault("5s")
  Duration requestTimeout();

  /** Deadline of one call between nodes. */
  @WithDefault("2s")
  Duration peerTimeout();

  /**
   * How long a backup remembers a delete (its tombstone), so that an older write of the item that
   * arrives later cannot bring it back. A write delayed for longer is refused and fails (it failed
   * at its client already: keep this well above {@code peer-timeout}). Tombstones are not counted
   * in {@code stored.store.max-memory}: at most about this long's worth of deletes are held.
   */
  @WithDefault("10s")
  Duration tombstoneGrace();

  /** How long a store may fail to answer the monkey before it is marked down. */
  @WithDefault("2s")
  Duration downAfter();

  /** How often the monkey checks the stores and plans. */
  @WithDefault("200ms")
  Duration monkeyInterval();

  /**
   * On Kubernetes: the cluster's ring ConfigMap (in the pod's namespace), watched for the ring the
   * operator publishes. Set by the operator on the pods it creates.
   */
  Optional<String> ringConfigMap();

  /**
   * How long a stopping store waits for the monkey to hand its partitions over before it exits (it
   * exits at once when no monkey asks for its status). Keep it below the pod's termination grace
   * period on Kubernetes.
   */
  @WithDefault("60s")
  Duration drainTimeout();

  /** Items per chunk of a state-transfer snapshot. */
  @WithDefault("1000")
  int chunkSize();

  /**
   * The secret every node of the cluster shares (at least 16 bytes): each internal-transport
   * connection starts by proving it, so a process without it can neither send to a store nor pose
   * as one. Unset: any process that speaks the protocol is let in (a warning is logged).
   */
  Optional<String> secret();

  /** The key of {@link #secret()}, or {@link ClusterKey#NONE}. */
  default ClusterKey key() {
    return secret().map(ClusterKey::of).orElse(ClusterKey.NONE);
  }

  /** Whether a cluster is configured. */
  default boolean clustered() {
    return members().isPresent() && !members().get().isEmpty();
  }

  /** The configured stores by name: their internal transport addresses. */
  default Map<String, String> memberAddresses() {
    Map<String, String> out = new LinkedHashMap<>();
    for (String entry : members().orElse(List.of())) {
      String e = entry.trim();
      int eq = e.indexOf('=');
      if (eq <= 0 || eq == e.length() - 1 || e.lastIndexOf(':') < eq) {
        throw new IllegalArgumentException(
            "stored.cluster.members: '" + e + "' is not name=host:port");
      }
      out.put(e.substring(0, eq), e.substring(eq + 1));
    }
    return out;
  }
}
